package dev.sparseinfer.springai.autoconfigure;

import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.models.BuiltinModel;
import dev.sparseinfer.models.ModelRegistry;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code spring.ai.sparseinfer.*} properties. Each one not set keeps {@link ModelOptions#defaults()}, or what the
 * model declares. The descriptions are plain text because the configuration processor copies them, as written, into
 * the metadata that IDEs show.
 *
 * @param model          Model to open: a built-in model name such as minilm, a packed .safetensors file, an ONNX
 *                       export with its tokenizer beside it, or a Hugging Face model directory. Required.
 * @param backend        Backend to run on: auto (CUDA where it can run, else the CPU), cpu or cuda.
 * @param threads        CPU worker threads. Default: all available processors.
 * @param batchSize      Texts per forward pass. Default: 32.
 * @param pooling        Pooling to use instead of the model's own: cls, mean, max or last.
 * @param normalize      Whether embeddings are scaled to unit length, whatever the model declares.
 * @param prompt         Literal prefix put before every text, such as "query: "; empty for none, even where the
 *                       model has a default prompt.
 * @param promptName     One of the model's named prompts to put before every text, instead of prompt.
 * @param cacheDirectory Directory built-in models are extracted into. Default: $SPARSEINFER_CACHE, else the user's
 *                       cache directory.
 */
@ConfigurationProperties(SparseInferProperties.PREFIX)
public record SparseInferProperties(
        String model,
        String backend,
        Integer threads,
        Integer batchSize,
        String pooling,
        Boolean normalize,
        String prompt,
        String promptName,
        Path cacheDirectory) {

    public static final String PREFIX = "spring.ai.sparseinfer";

    /**
     * The options these properties ask for.
     *
     * @throws SparseInferException naming the property at fault, if one is invalid
     */
    public ModelOptions toModelOptions() {
        if (prompt != null && promptName != null) {
            throw SparseInferException.invalidArgument(
                    "set " + PREFIX + ".prompt or " + PREFIX + ".prompt-name, not both");
        }
        ModelOptions options = ModelOptions.defaults();
        if (backend != null) {
            options = options.withBackend(checked("backend", () -> BackendKind.parse(backend)));
        }
        if (threads != null) {
            options = options.withThreads(atLeastOne("threads", threads));
        }
        if (batchSize != null) {
            options = options.withBatchSize(atLeastOne("batch-size", batchSize));
        }
        if (pooling != null) {
            options = options.withPooling(checked("pooling", () -> Pooling.parse(pooling)));
        }
        if (normalize != null) {
            options = options.withNormalize(normalize);
        }
        if (prompt != null) {
            options = options.withPrompt(prompt);
        }
        if (promptName != null) {
            options = options.withPromptName(promptName);
        }
        return options;
    }

    /**
     * The file or directory to open: a built-in model extracted into the cache directory (once, fetching its jar
     * first if needed), or the path given.
     *
     * @throws SparseInferException naming the property, if no model is set or it names neither
     */
    public Path resolveModel() {
        if (model == null || model.isBlank()) {
            throw SparseInferException.invalidArgument(PREFIX + ".model is not set: give a built-in model ("
                    + String.join(
                            ", ",
                            ModelRegistry.builtins().stream()
                                    .map(BuiltinModel::name)
                                    .toList())
                    + ") or a model file or directory");
        }
        ModelRegistry registry =
                cacheDirectory == null ? ModelRegistry.standard() : new ModelRegistry(cacheDirectory.toAbsolutePath());
        return checked("model", () -> registry.resolve(model.strip()));
    }

    /**
     * The engine's message for a bad value, prefixed with the property that holds it. It takes the place of the
     * engine's exception rather than wrapping it, so the root cause of a failed start names the property.
     */
    private static <T> T checked(String property, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (SparseInferException e) {
            throw new SparseInferException(e.code(), PREFIX + "." + property + ": " + e.getMessage(), e.getCause());
        }
    }

    private static int atLeastOne(String property, int value) {
        if (value < 1) {
            throw SparseInferException.invalidArgument(PREFIX + "." + property + " must be at least 1, got " + value);
        }
        return value;
    }
}
