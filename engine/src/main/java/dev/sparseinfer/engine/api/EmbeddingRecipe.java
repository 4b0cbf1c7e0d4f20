package dev.sparseinfer.engine.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a model declares about producing its embeddings beyond the encoder itself: how token states are pooled,
 * whether the result is scaled to unit length, and the prompts (instructions) its family prepends to texts.
 *
 * @param pooling           how token states become one vector
 * @param normalize         whether the pooled vector is scaled to unit length
 * @param prompts           named prompts in the model's own order, e.g. {@code query -> "query: "}
 * @param defaultPromptName the prompt applied when the caller names none, or null when none is
 * @param includePrompt     whether the prompt's tokens are pooled with the text's; sentence-transformers'
 *     {@code include_prompt: false} (instruction models) leaves them out of mean and max pooling
 */
public record EmbeddingRecipe(
        Pooling pooling,
        boolean normalize,
        Map<String, String> prompts,
        String defaultPromptName,
        boolean includePrompt) {

    public EmbeddingRecipe {
        Objects.requireNonNull(pooling, "pooling");
        prompts = Collections.unmodifiableMap(new LinkedHashMap<>(prompts));
        if (defaultPromptName != null && !prompts.containsKey(defaultPromptName)) {
            throw SparseInferException.invalidArgument(
                    "default prompt '" + defaultPromptName + "' is not one of the prompts " + prompts.keySet());
        }
    }

    /** A recipe that pools the prompt's tokens with the text's, as most models do. */
    public EmbeddingRecipe(Pooling pooling, boolean normalize, Map<String, String> prompts, String defaultPromptName) {
        this(pooling, normalize, prompts, defaultPromptName, true);
    }

    /** The same recipe, pooling the prompt's tokens or not. */
    public EmbeddingRecipe withIncludePrompt(boolean include) {
        return new EmbeddingRecipe(pooling, normalize, prompts, defaultPromptName, include);
    }

    /**
     * What a model that declares nothing is run with: mean pooling, as sentence-transformers pools a plain BERT
     * checkpoint, then L2 normalisation, which cosine and dot-product search alike expect.
     */
    public static final EmbeddingRecipe MEAN_NORMALIZED = of(Pooling.MEAN, true);

    /** A recipe without prompts. */
    public static EmbeddingRecipe of(Pooling pooling, boolean normalize) {
        return new EmbeddingRecipe(pooling, normalize, Map.of(), null);
    }

    /** The text of a named prompt. */
    public Optional<String> prompt(String name) {
        return Optional.ofNullable(prompts.get(name));
    }

    /** The text prepended when the caller names no prompt; empty for most models. */
    public Optional<String> defaultPrompt() {
        return defaultPromptName == null ? Optional.empty() : prompt(defaultPromptName);
    }

    /**
     * This recipe with a caller's choices in place of the model's (see {@link ModelOptions}): the pooling and
     * normalisation where set; as the default prompt, the prompt the options name, none where they give a literal
     * prompt (which the caller puts before texts itself), else the model's.
     *
     * @throws SparseInferException if the options name a prompt this recipe does not have
     */
    public EmbeddingRecipe with(ModelOptions options) {
        Pooling p = options.pooling() != null ? options.pooling() : pooling;
        boolean n = options.normalize() != null ? options.normalize() : normalize;
        String promptName = defaultPromptName;
        if (options.promptName() != null) {
            if (!prompts.containsKey(options.promptName())) {
                throw SparseInferException.invalidArgument("no prompt named '" + options.promptName() + "': "
                        + (prompts.isEmpty()
                                ? "the model has no named prompts"
                                : "the model's are " + String.join(", ", prompts.keySet())));
            }
            promptName = options.promptName();
        } else if (options.prompt() != null) {
            promptName = null;
        }
        return new EmbeddingRecipe(p, n, prompts, promptName, includePrompt);
    }

    /**
     * One line, e.g. {@code cls pooling, normalized, prompts: query (default: none)}, ending in
     * {@code , prompt tokens not pooled} where {@link #includePrompt()} is false.
     */
    public String describe() {
        return pooling.label() + " pooling, " + (normalize ? "normalized" : "not normalized") + ", prompts: "
                + (prompts.isEmpty() ? "none" : String.join(", ", prompts.keySet()))
                + (prompts.isEmpty()
                        ? ""
                        : " (default: " + (defaultPromptName == null ? "none" : defaultPromptName) + ")")
                + (includePrompt ? "" : ", prompt tokens not pooled");
    }
}
