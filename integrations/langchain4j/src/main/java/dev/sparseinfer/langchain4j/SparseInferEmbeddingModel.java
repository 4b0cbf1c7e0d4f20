package dev.sparseinfer.langchain4j;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.DimensionAwareEmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.EmbeddingModel;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.engine.api.Pooling;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A SparseInfer model as a LangChain4j {@link dev.langchain4j.model.embedding.EmbeddingModel}, for embedding stores
 * and retrievers.
 *
 * <pre>{@code
 * try (SparseInferEmbeddingModel model = SparseInferEmbeddingModel.builder()
 *         .modelPath(Path.of("model.safetensors"))
 *         .build()) {
 *     Embedding e = model.embed("some text").content();
 * }
 * }</pre>
 *
 * Safe to share between threads, like the {@link EmbeddingModel} it runs. Close it to free the model.
 */
public final class SparseInferEmbeddingModel extends DimensionAwareEmbeddingModel implements AutoCloseable {

    private final EmbeddingModel model;
    private final String modelName;

    private SparseInferEmbeddingModel(Path modelPath, ModelOptions options) {
        this.model = EmbeddingModel.open(modelPath, options);
        this.modelName = modelPath.getFileName().toString();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Embeds every segment's text in one call, so the engine batches them; the token usage is the tokens it saw. */
    @Override
    public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
        if (segments == null) {
            throw new IllegalArgumentException("segments must not be null");
        }
        List<String> texts = new ArrayList<>(segments.size());
        for (int i = 0; i < segments.size(); i++) {
            TextSegment segment = segments.get(i);
            if (segment == null || segment.text() == null) {
                throw new IllegalArgumentException("segment " + i + " is null or has no text");
            }
            texts.add(segment.text());
        }
        if (texts.isEmpty()) {
            return Response.from(List.of(), new TokenUsage(0));
        }
        List<dev.sparseinfer.engine.api.Embedding> ours = model.embed(texts);
        List<Embedding> embeddings = new ArrayList<>(ours.size());
        int tokens = 0;
        for (dev.sparseinfer.engine.api.Embedding e : ours) {
            embeddings.add(Embedding.from(e.vector()));
            tokens += e.tokens();
        }
        return Response.from(embeddings, new TokenUsage(tokens));
    }

    @Override
    protected Integer knownDimension() {
        return model.dimension();
    }

    /** The model file's name, e.g. {@code model.onnx}. */
    @Override
    public String modelName() {
        return modelName;
    }

    /** Frees the model; embedding afterwards throws {@link IllegalStateException}. Closing twice does nothing. */
    @Override
    public void close() {
        model.close();
    }

    /** Options for {@link SparseInferEmbeddingModel}; each one not given keeps {@link ModelOptions#defaults()}. */
    public static final class Builder {

        private Path modelPath;
        private ModelOptions options = ModelOptions.defaults();

        private Builder() {}

        /** The model to open (required): a packed file, an ONNX export or a Hugging Face model directory. */
        public Builder modelPath(Path path) {
            this.modelPath = path;
            return this;
        }

        public Builder backend(BackendKind kind) {
            options = options.withBackend(kind);
            return this;
        }

        public Builder threads(int n) {
            options = options.withThreads(n);
            return this;
        }

        /** Texts per forward pass when a list is embedded. */
        public Builder batchSize(int n) {
            options = options.withBatchSize(n);
            return this;
        }

        /** Pools as given instead of as the model declares. */
        public Builder pooling(Pooling pooling) {
            options = options.withPooling(pooling);
            return this;
        }

        /** Scales embeddings to unit length, or not, whatever the model declares. */
        public Builder normalize(boolean normalize) {
            options = options.withNormalize(normalize);
            return this;
        }

        /** A literal prefix put before every text, e.g. {@code "query: "}; empty for none. */
        public Builder prompt(String text) {
            options = options.withPrompt(text);
            return this;
        }

        /** One of the model's named prompts to put before every text. */
        public Builder promptName(String name) {
            options = options.withPromptName(name);
            return this;
        }

        /**
         * Opens the model.
         *
         * @throws IllegalArgumentException if no model path was given
         * @throws dev.sparseinfer.engine.api.SparseInferException if the model cannot be opened
         */
        public SparseInferEmbeddingModel build() {
            if (modelPath == null) {
                throw new IllegalArgumentException("modelPath is required");
            }
            return new SparseInferEmbeddingModel(modelPath, options);
        }
    }
}
