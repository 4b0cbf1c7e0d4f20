package dev.sparseinfer.engine.api;

/**
 * How to run a model: which backend, how many CPU threads, how many texts per forward pass.
 *
 * @param backend   the backend to run on
 * @param threads   CPU worker threads (default: all available processors)
 * @param batchSize texts per forward pass when embedding a list (default 32)
 */
public record ModelOptions(BackendKind backend, int threads, int batchSize) {

    public ModelOptions {
        if (threads < 1) {
            throw SparseInferException.invalidArgument("threads must be at least 1, got " + threads);
        }
        if (batchSize < 1) {
            throw SparseInferException.invalidArgument("batch size must be at least 1, got " + batchSize);
        }
    }

    public static ModelOptions defaults() {
        return new ModelOptions(BackendKind.AUTO, Runtime.getRuntime().availableProcessors(), 32);
    }

    public ModelOptions withBackend(BackendKind kind) {
        return new ModelOptions(kind, threads, batchSize);
    }

    public ModelOptions withThreads(int n) {
        return new ModelOptions(backend, n, batchSize);
    }

    public ModelOptions withBatchSize(int n) {
        return new ModelOptions(backend, threads, n);
    }
}
