package dev.sparseinfer.engine.api;

import dev.sparseinfer.engine.runtime.EmbeddingRunner;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A sentence-embedding model, ready to run: what an application embeds.
 *
 * <pre>{@code
 * try (EmbeddingModel model = EmbeddingModel.open(Path.of("model.onnx"), ModelOptions.defaults())) {
 *     List<Embedding> out = model.embed(List.of("first text", "second text"));
 * }
 * }</pre>
 *
 * Safe to share between threads: the weights are read-only and each call works on its own buffers. A call after
 * {@link #close} throws {@link IllegalStateException}.
 */
public final class EmbeddingModel implements AutoCloseable {

    private final EmbeddingRunner runner;

    private EmbeddingModel(EmbeddingRunner runner) {
        this.runner = runner;
    }

    /**
     * Opens a model: a packed {@code .safetensors} file, an ONNX export with its {@code tokenizer.json} beside it,
     * or a Hugging Face model directory, on the backend the options ask for. The file stays mapped until
     * {@link #close}.
     *
     * @throws SparseInferException if the file is missing or malformed, or the backend asked for cannot run here
     */
    public static EmbeddingModel open(Path model, ModelOptions options) {
        return new EmbeddingModel(EmbeddingRunner.open(model, options));
    }

    /** Length of every embedding vector. */
    public int dimension() {
        return runner.dimension();
    }

    /**
     * The most tokens of one text the model sees, special tokens included; the tokenizer cuts longer texts to this
     * many (a model whose tokenizer.json does not truncate refuses them instead).
     */
    public int maxTokens() {
        return runner.maxTokens();
    }

    /**
     * The pooling, normalisation and prompts embeddings are made with: what the model declares (the
     * sentence-transformers files of a Hugging Face directory or beside an ONNX file, where the built-in models'
     * cache puts them; a packed file's metadata; mean pooling and normalisation where it declares nothing), with the
     * {@link ModelOptions} choices in its place. Its {@link EmbeddingRecipe#defaultPrompt()} is the named prompt put
     * before every text, if any.
     */
    public EmbeddingRecipe recipe() {
        return runner.recipe();
    }

    /** The text put before every text before it is tokenised (a named prompt or a literal one); empty for none. */
    public String prompt() {
        return runner.prompt();
    }

    /** One line saying which backend runs the model and how, e.g. {@code cpu (Vector API, 256-bit, 8 threads)}. */
    public String backendDescription() {
        return runner.backendDescription();
    }

    /**
     * Why the model runs slower than this machine allows, in one line, if it does: {@link BackendKind#AUTO} fell
     * back to the CPU, or the JVM was started without the Vector API module.
     */
    public Optional<String> backendNotice() {
        return runner.backendNotice();
    }

    /**
     * How the model runs differently from what its file computes, in one line, if it does: an int8 ONNX export's
     * layers run as int8 w8a8 with activations quantised per token, where ONNX Runtime quantises each tensor.
     */
    public Optional<String> modelNotice() {
        return runner.modelNotice();
    }

    public Embedding embed(String text) {
        return runner.embed(List.of(text)).getFirst();
    }

    /** Embeds the texts in order, {@link ModelOptions#batchSize()} at a time. */
    public List<Embedding> embed(List<String> texts) {
        return runner.embed(texts);
    }

    /** Frees the backend's buffers and the tokenizer and unmaps the model file. Closing twice does nothing. */
    @Override
    public void close() {
        runner.close();
    }
}
