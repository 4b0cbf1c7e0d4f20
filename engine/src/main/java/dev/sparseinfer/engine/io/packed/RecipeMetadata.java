package dev.sparseinfer.engine.io.packed;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.sparseinfer.engine.api.EmbeddingRecipe;
import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.io.safetensors.SafetensorsWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A packed file's {@link EmbeddingRecipe} in its metadata: {@code sparseinfer.pooling} ({@code cls}, {@code mean},
 * {@code max}, {@code last}), {@code sparseinfer.normalize} ({@code true}, {@code false}), {@code sparseinfer.prompts}
 * (a JSON object of named prompts, in order), {@code sparseinfer.default_prompt} (a name among them, only where
 * the model has a default) and {@code sparseinfer.include_prompt} ({@code false} only, where the prompt's tokens are
 * not pooled). Each key a file lacks reads as the recipe of a model that declares nothing, so files
 * written before the keys existed run as they always did: mean pooling, normalised, no prompts.
 */
final class RecipeMetadata {

    static final String POOLING_KEY = "sparseinfer.pooling";
    static final String NORMALIZE_KEY = "sparseinfer.normalize";
    static final String PROMPTS_KEY = "sparseinfer.prompts";
    static final String DEFAULT_PROMPT_KEY = "sparseinfer.default_prompt";
    static final String INCLUDE_PROMPT_KEY = "sparseinfer.include_prompt";

    private RecipeMetadata() {}

    static void write(EmbeddingRecipe recipe, SafetensorsWriter out) {
        JsonObject prompts = new JsonObject();
        recipe.prompts().forEach(prompts::addProperty);
        out.metadata(POOLING_KEY, recipe.pooling().label())
                .metadata(NORMALIZE_KEY, Boolean.toString(recipe.normalize()))
                .metadata(PROMPTS_KEY, prompts.toString());
        if (recipe.defaultPromptName() != null) {
            out.metadata(DEFAULT_PROMPT_KEY, recipe.defaultPromptName());
        }
        if (!recipe.includePrompt()) {
            out.metadata(INCLUDE_PROMPT_KEY, "false");
        }
    }

    static EmbeddingRecipe read(Map<String, String> meta, String file) {
        EmbeddingRecipe absent = EmbeddingRecipe.MEAN_NORMALIZED;
        Pooling pooling = absent.pooling();
        String poolingLabel = meta.get(POOLING_KEY);
        if (poolingLabel != null) {
            try {
                pooling = Pooling.parse(poolingLabel);
            } catch (SparseInferException e) {
                throw SparseInferException.invalidModel(file + ": " + POOLING_KEY + ": " + e.getMessage());
            }
        }
        boolean normalize = flag(meta, NORMALIZE_KEY, absent.normalize(), file);
        boolean includePrompt = flag(meta, INCLUDE_PROMPT_KEY, absent.includePrompt(), file);
        Map<String, String> prompts = prompts(meta.get(PROMPTS_KEY), file);
        String defaultPrompt = meta.get(DEFAULT_PROMPT_KEY);
        if (defaultPrompt != null && !prompts.containsKey(defaultPrompt)) {
            throw SparseInferException.invalidModel(file + ": " + DEFAULT_PROMPT_KEY + " '" + defaultPrompt
                    + "' is not one of the prompts " + prompts.keySet());
        }
        return new EmbeddingRecipe(pooling, normalize, prompts, defaultPrompt, includePrompt);
    }

    private static boolean flag(Map<String, String> meta, String key, boolean absent, String file) {
        String label = meta.get(key);
        if (label == null) {
            return absent;
        }
        if (!label.equals("true") && !label.equals("false")) {
            throw SparseInferException.invalidModel(file + ": " + key + " is '" + label + "', expected true or false");
        }
        return Boolean.parseBoolean(label);
    }

    private static Map<String, String> prompts(String json, String file) {
        Map<String, String> prompts = new LinkedHashMap<>();
        if (json == null) {
            return prompts;
        }
        JsonElement parsed;
        try {
            parsed = JsonParser.parseString(json);
        } catch (RuntimeException e) {
            parsed = null;
        }
        if (parsed == null || !parsed.isJsonObject()) {
            throw SparseInferException.invalidModel(file + ": " + PROMPTS_KEY + " is not a JSON object");
        }
        for (Map.Entry<String, JsonElement> e : parsed.getAsJsonObject().entrySet()) {
            JsonElement text = e.getValue();
            if (!text.isJsonPrimitive() || !text.getAsJsonPrimitive().isString()) {
                throw SparseInferException.invalidModel(
                        file + ": " + PROMPTS_KEY + ": prompt '" + e.getKey() + "' is not a string");
            }
            prompts.put(e.getKey(), text.getAsString());
        }
        return prompts;
    }
}
