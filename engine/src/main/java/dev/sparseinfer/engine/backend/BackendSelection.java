package dev.sparseinfer.engine.backend;

import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.backend.cpu.CpuBackend;
import dev.sparseinfer.engine.backend.cuda.CudaAvailability;
import dev.sparseinfer.engine.backend.cuda.CudaBackend;
import dev.sparseinfer.engine.backend.cuda.CudaProbe;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one place that decides which backend runs a model, and says why in one line when it is not the one asked
 * for.
 *
 * @param backend the backend that will run
 * @param notice  why {@code auto} settled on it, if it is not the fastest kind
 */
public record BackendSelection(Backend backend, Optional<String> notice) {

    public static BackendSelection select(BackendKind kind, int threads) {
        return select(kind, threads, CudaProbe::system, CudaBackend::open);
    }

    /** With the probe and the CUDA backend's constructor given, so tests can stand in for a GPU machine. */
    static BackendSelection select(BackendKind kind, int threads, Supplier<CudaAvailability> probe,
                                   Function<CudaAvailability, Backend> cuda) {
        return switch (kind) {
            case CPU -> new BackendSelection(new CpuBackend(threads), Optional.empty());
            case CUDA -> {
                CudaAvailability found = probe.get();
                if (!found.available()) {
                    throw new SparseInferException(SparseInferException.Code.BACKEND_UNAVAILABLE, found.reason());
                }
                yield new BackendSelection(cuda.apply(found), Optional.empty());
            }
            case AUTO -> {
                CudaAvailability found = probe.get();
                if (!found.available()) {
                    yield onCpu(threads, found.reason());
                }
                try {
                    yield new BackendSelection(cuda.apply(found), Optional.empty());
                } catch (SparseInferException e) {
                    // Everything was there, yet the device would not open (another process holds its memory, ...).
                    if (e.code() != SparseInferException.Code.BACKEND_UNAVAILABLE) {
                        throw e;
                    }
                    yield onCpu(threads, e.getMessage());
                }
            }
        };
    }

    private static BackendSelection onCpu(int threads, String why) {
        return new BackendSelection(new CpuBackend(threads), Optional.of(why + "; running on cpu"));
    }
}
