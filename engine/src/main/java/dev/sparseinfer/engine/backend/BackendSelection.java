package dev.sparseinfer.engine.backend;

import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.backend.cpu.CpuBackend;
import java.util.Optional;

/**
 * The one place that decides which backend runs a model, and says why in one line when it is not the one asked
 * for.
 *
 * @param backend the backend that will run
 * @param notice  why {@code auto} settled on it, if it is not the fastest kind
 */
public record BackendSelection(Backend backend, Optional<String> notice) {

    /** Why the CUDA backend cannot run here; this build has none. */
    static final String CUDA_UNAVAILABLE = "cuda: this build has no CUDA backend";

    public static BackendSelection select(BackendKind kind, int threads) {
        return switch (kind) {
            case CPU -> new BackendSelection(new CpuBackend(threads), Optional.empty());
            case CUDA -> throw new SparseInferException(SparseInferException.Code.BACKEND_UNAVAILABLE, CUDA_UNAVAILABLE);
            case AUTO -> new BackendSelection(new CpuBackend(threads), Optional.of(CUDA_UNAVAILABLE + "; running on cpu"));
        };
    }
}
