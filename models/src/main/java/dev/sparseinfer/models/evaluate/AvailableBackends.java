package dev.sparseinfer.models.evaluate;

import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.backend.BackendSelection;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The backends a comparison runs on: the one {@code --backend auto} picks and, when that is not the CPU, the CPU
 * backend as well, which is always there. The notice says why a faster backend is not among them, in the words of
 * {@link BackendSelection}.
 *
 * @param kinds  the backends, fastest first
 * @param notice why {@code auto} did not pick a faster one, if it did not
 */
public record AvailableBackends(List<BackendKind> kinds, Optional<String> notice) {

    /** Probes once which backend {@code auto} picks; the probed backend is closed again. */
    public static AvailableBackends detect() {
        BackendSelection selection = BackendSelection.select(BackendKind.AUTO, 1);
        try {
            BackendKind best = BackendKind.parse(selection.backend().name());
            List<BackendKind> kinds = new ArrayList<>(List.of(best));
            if (best != BackendKind.CPU) {
                kinds.add(BackendKind.CPU);
            }
            return new AvailableBackends(List.copyOf(kinds), selection.notice());
        } finally {
            selection.backend().close();
        }
    }
}
