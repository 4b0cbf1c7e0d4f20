package dev.sparseinfer.springai;

import dev.sparseinfer.engine.api.EmbeddingModel;
import dev.sparseinfer.engine.api.ModelOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.AbstractEmbeddingModel;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.embedding.EmbeddingResponseMetadata;

/**
 * A SparseInfer model as a Spring AI {@link org.springframework.ai.embedding.EmbeddingModel}, for vector stores and
 * retrieval advisors.
 *
 * <pre>{@code
 * try (SparseInferEmbeddingModel model =
 *         new SparseInferEmbeddingModel(Path.of("model.safetensors"), ModelOptions.defaults())) {
 *     float[] vector = model.embed("some text");
 * }
 * }</pre>
 *
 * In a Spring Boot application the auto-configuration builds one from the {@code spring.ai.sparseinfer.*}
 * properties. Safe to share between threads, like the {@link EmbeddingModel} it runs. Close it to free the model.
 */
public final class SparseInferEmbeddingModel extends AbstractEmbeddingModel implements AutoCloseable {

    private static final Log LOG = LogFactory.getLog(SparseInferEmbeddingModel.class);

    private final EmbeddingModel model;
    private final String modelName;

    /**
     * Opens a model.
     *
     * @param modelPath a packed {@code .safetensors} file, an ONNX export with its tokenizer beside it, or a Hugging
     *     Face model directory
     * @throws dev.sparseinfer.engine.api.SparseInferException if the model cannot be opened
     */
    public SparseInferEmbeddingModel(Path modelPath, ModelOptions options) {
        this.model = EmbeddingModel.open(modelPath, options);
        this.modelName = modelPath.getFileName().toString();
        // An application has no console of its own to print the engine's notices on, as the command line does.
        StringBuilder line = new StringBuilder("SparseInfer: ")
                .append(modelName)
                .append(" on ")
                .append(model.backendDescription());
        model.backendNotice().ifPresent(notice -> line.append("; ").append(notice));
        model.modelNotice().ifPresent(notice -> line.append("; ").append(notice));
        LOG.info(line);
    }

    /**
     * Embeds every text of the request in one call, so the engine batches them; the usage's prompt tokens are the
     * tokens the model saw. The request's model name is ignored: this is one model.
     *
     * @throws IllegalArgumentException if a text is null, or the request asks for dimensions other than the model's
     */
    @Override
    public EmbeddingResponse call(EmbeddingRequest request) {
        List<String> texts = textsOf(request);
        List<Embedding> results = new ArrayList<>(texts.size());
        int tokens = 0;
        if (!texts.isEmpty()) {
            List<dev.sparseinfer.engine.api.Embedding> ours = model.embed(texts);
            for (int i = 0; i < ours.size(); i++) {
                results.add(new Embedding(ours.get(i).vector(), i));
                tokens += ours.get(i).tokens();
            }
        }
        return new EmbeddingResponse(
                results, new EmbeddingResponseMetadata(modelName, new DefaultUsage(tokens, 0, tokens)));
    }

    /** Embeds the document's text; its metadata is not embedded. */
    @Override
    public float[] embed(Document document) {
        if (document == null || document.getText() == null) {
            throw new IllegalArgumentException(
                    "document " + (document == null ? "null" : document.getId()) + " has no text");
        }
        return model.embed(document.getText()).vector();
    }

    @Override
    public int dimensions() {
        return model.dimension();
    }

    /** The model file's name, e.g. {@code all-minilm-l6-v2.onnx}: the response metadata's model. */
    public String modelName() {
        return modelName;
    }

    /** Frees the model; embedding afterwards throws {@link IllegalStateException}. Closing twice does nothing. */
    @Override
    public void close() {
        model.close();
    }

    private List<String> textsOf(EmbeddingRequest request) {
        if (request == null || request.getInstructions() == null) {
            throw new IllegalArgumentException("the request has no texts");
        }
        EmbeddingOptions options = request.getOptions();
        if (options != null && options.getDimensions() != null && options.getDimensions() != model.dimension()) {
            throw new IllegalArgumentException("the request asks for " + options.getDimensions() + " dimensions; "
                    + modelName + " gives " + model.dimension());
        }
        List<String> texts = request.getInstructions();
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i) == null) {
                throw new IllegalArgumentException("text " + i + " of the request is null");
            }
        }
        return texts;
    }
}
