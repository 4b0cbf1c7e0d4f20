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
 */
public record EmbeddingRecipe(
        Pooling pooling, boolean normalize, Map<String, String> prompts, String defaultPromptName) {

    public EmbeddingRecipe {
        Objects.requireNonNull(pooling, "pooling");
        prompts = Collections.unmodifiableMap(new LinkedHashMap<>(prompts));
        if (defaultPromptName != null && !prompts.containsKey(defaultPromptName)) {
            throw SparseInferException.invalidArgument(
                    "default prompt '" + defaultPromptName + "' is not one of the prompts " + prompts.keySet());
        }
    }

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
}
