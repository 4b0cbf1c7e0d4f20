package dev.sparseinfer.engine.api;

/**
 * How to run a model: which backend, how many CPU threads, how many texts per forward pass, and, where the caller
 * wants other than what the model declares ({@link EmbeddingRecipe}), its pooling, normalisation or prompt.
 *
 * @param backend    the backend to run on
 * @param threads    CPU worker threads (default: all available processors)
 * @param batchSize  texts per forward pass when embedding a list (default 32)
 * @param pooling    how token states are pooled, or null for the model's own pooling
 * @param normalize  whether embeddings are scaled to unit length, or null for what the model declares
 * @param prompt     a literal prefix put before every text (empty: none, even where the model has a default
 *                   prompt), or null
 * @param promptName one of the model's named prompts to put before every text, or null; at most one of
 *                   {@code prompt} and {@code promptName} is set, and with neither the model's default prompt, if
 *                   it has one, is used
 * @param detectSparseFormats whether dense linear layers of a Hugging Face directory or ONNX file run in the sparse
 *                   format their zeros already fit (2:4, or CSR when mostly zero; default true), or as stored
 * @param precision  how the CPU backend computes dense fp32 linear layers (default {@link Precision#FP32})
 */
public record ModelOptions(
        BackendKind backend,
        int threads,
        int batchSize,
        Pooling pooling,
        Boolean normalize,
        String prompt,
        String promptName,
        boolean detectSparseFormats,
        Precision precision) {

    public ModelOptions {
        if (precision == null) {
            throw SparseInferException.invalidArgument("precision must be fp32 or bf16, got null");
        }
        if (threads < 1) {
            throw SparseInferException.invalidArgument("threads must be at least 1, got " + threads);
        }
        if (batchSize < 1) {
            throw SparseInferException.invalidArgument("batch size must be at least 1, got " + batchSize);
        }
        if (prompt != null && promptName != null) {
            throw SparseInferException.invalidArgument(
                    "give a prompt or a prompt name, not both (prompt '" + prompt + "', name '" + promptName + "')");
        }
    }

    public static ModelOptions defaults() {
        return new ModelOptions(
                BackendKind.AUTO,
                Runtime.getRuntime().availableProcessors(),
                32,
                null,
                null,
                null,
                null,
                true,
                Precision.FP32);
    }

    public ModelOptions withBackend(BackendKind kind) {
        return new ModelOptions(
                kind, threads, batchSize, pooling, normalize, prompt, promptName, detectSparseFormats, precision);
    }

    public ModelOptions withThreads(int n) {
        return new ModelOptions(
                backend, n, batchSize, pooling, normalize, prompt, promptName, detectSparseFormats, precision);
    }

    public ModelOptions withBatchSize(int n) {
        return new ModelOptions(
                backend, threads, n, pooling, normalize, prompt, promptName, detectSparseFormats, precision);
    }

    /** Pools as given instead of as the model declares; null goes back to the model's pooling. */
    public ModelOptions withPooling(Pooling p) {
        return new ModelOptions(
                backend, threads, batchSize, p, normalize, prompt, promptName, detectSparseFormats, precision);
    }

    /** Scales embeddings to unit length, or not, whatever the model declares; null goes back to the model's. */
    public ModelOptions withNormalize(Boolean n) {
        return new ModelOptions(
                backend, threads, batchSize, pooling, n, prompt, promptName, detectSparseFormats, precision);
    }

    /**
     * Puts {@code text} literally before every text, e.g. {@code "query: "} (in place of any prompt name); the
     * empty string embeds texts as they are even where the model has a default prompt; null goes back to it.
     */
    public ModelOptions withPrompt(String text) {
        return new ModelOptions(
                backend, threads, batchSize, pooling, normalize, text, null, detectSparseFormats, precision);
    }

    /**
     * Puts the model's prompt called {@code name} (see {@link EmbeddingRecipe#prompts()}) before every text, in
     * place of any literal prompt; opening the model fails if it has no prompt of that name.
     */
    public ModelOptions withPromptName(String name) {
        return new ModelOptions(
                backend, threads, batchSize, pooling, normalize, null, name, detectSparseFormats, precision);
    }

    /**
     * Runs dense linear layers in the sparse format their zeros fit, or, with false, as stored; packed files keep
     * their formats either way.
     */
    public ModelOptions withSparseDetection(boolean detect) {
        return new ModelOptions(backend, threads, batchSize, pooling, normalize, prompt, promptName, detect, precision);
    }

    /**
     * Computes dense fp32 linear layers on the CPU backend at this precision; {@link Precision#BF16} falls back to
     * fp32, with a notice, where the CPU or the native library cannot run it.
     */
    public ModelOptions withPrecision(Precision p) {
        return new ModelOptions(
                backend, threads, batchSize, pooling, normalize, prompt, promptName, detectSparseFormats, p);
    }
}
