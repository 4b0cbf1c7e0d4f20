package dev.sparseinfer.engine.io.hf;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.sparseinfer.engine.api.EmbeddingRecipe;
import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.api.SparseInferException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The embedding recipe a sentence-transformers model directory declares: {@code modules.json} lists its modules
 * (a Transformer, then Pooling, then optionally Normalize), the Pooling module's {@code config.json} says how
 * token states are pooled, and {@code config_sentence_transformers.json} holds its named prompts and the default
 * one.
 */
public final class SentenceTransformersConfig {

    static final String MODULES = "modules.json";
    static final String SETTINGS = "config_sentence_transformers.json";
    private static final String POOLING_DIRECTORY = "1_Pooling";

    /** The Pooling module's flags SparseInfer can run, each to its pooling. */
    private static final Map<String, Pooling> SUPPORTED_MODES = Map.of(
            "pooling_mode_cls_token", Pooling.CLS,
            "pooling_mode_mean_tokens", Pooling.MEAN,
            "pooling_mode_max_tokens", Pooling.MAX,
            "pooling_mode_lasttoken", Pooling.LAST_TOKEN);
    /** Flags sentence-transformers also knows, refused rather than ignored so a model is never pooled wrongly. */
    private static final List<String> UNSUPPORTED_MODES =
            List.of("pooling_mode_mean_sqrt_len_tokens", "pooling_mode_weightedmean_tokens");

    /** The Pooling flag that, false, leaves a prompt's tokens out of mean and max pooling. */
    private static final String INCLUDE_PROMPT = "include_prompt";

    private SentenceTransformersConfig() {}

    /**
     * The recipe of a sentence-transformers directory, or empty if it has no {@code modules.json} (a plain
     * Hugging Face model). Malformed or unsupported files fail with a one-line error naming the file.
     */
    public static Optional<EmbeddingRecipe> read(Path directory) {
        Path modulesFile = directory.resolve(MODULES);
        if (!Files.isRegularFile(modulesFile)) {
            return Optional.empty();
        }
        JsonElement modules = parse(modulesFile);
        if (!modules.isJsonArray()) {
            throw SparseInferException.invalidModel(modulesFile + ": expected a JSON array of modules");
        }
        Pooling pooling = null;
        boolean includePrompt = true;
        boolean normalize = false;
        for (JsonElement module : modules.getAsJsonArray()) {
            if (!module.isJsonObject()) {
                throw SparseInferException.invalidModel(modulesFile + ": a module is not a JSON object");
            }
            String type = string(module.getAsJsonObject(), "type", modulesFile);
            String kind = type.substring(type.lastIndexOf('.') + 1);
            switch (kind) {
                case "Transformer" -> {}
                case "Pooling" -> {
                    Path poolingConfig = moduleDirectory(directory, module.getAsJsonObject(), modulesFile)
                            .resolve("config.json");
                    pooling = pooling(poolingConfig);
                    includePrompt = includePrompt(poolingConfig);
                }
                case "Normalize" -> normalize = true;
                default ->
                    throw SparseInferException.invalidModel(modulesFile + ": module " + type
                            + " is not supported (only Transformer, Pooling and Normalize are)");
            }
        }
        if (pooling == null) {
            throw SparseInferException.invalidModel(modulesFile + ": no Pooling module");
        }
        return Optional.of(
                withPrompts(pooling, normalize, directory.resolve(SETTINGS)).withIncludePrompt(includePrompt));
    }

    /**
     * The files {@link #read} reads, saying {@code recipe}, by path relative to a model directory: {@code modules.json}
     * (Transformer, Pooling, and Normalize where the recipe normalises), the Pooling module's {@code config.json} and
     * {@code config_sentence_transformers.json} with the prompts, as sentence-transformers itself writes them.
     */
    public static Map<String, String> files(EmbeddingRecipe recipe, int dimension) {
        JsonArray modules = new JsonArray();
        modules.add(module(0, "", "Transformer"));
        modules.add(module(1, POOLING_DIRECTORY, "Pooling"));
        if (recipe.normalize()) {
            modules.add(module(2, "2_Normalize", "Normalize"));
        }
        JsonObject pooling = new JsonObject();
        pooling.addProperty("word_embedding_dimension", dimension);
        SUPPORTED_MODES.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> pooling.addProperty(e.getKey(), e.getValue() == recipe.pooling()));
        UNSUPPORTED_MODES.forEach(flag -> pooling.addProperty(flag, false));
        pooling.addProperty(INCLUDE_PROMPT, recipe.includePrompt());
        JsonObject prompts = new JsonObject();
        recipe.prompts().forEach(prompts::addProperty);
        JsonObject settings = new JsonObject();
        settings.add("prompts", prompts);
        settings.add(
                "default_prompt_name",
                recipe.defaultPromptName() == null ? JsonNull.INSTANCE : new JsonPrimitive(recipe.defaultPromptName()));
        Map<String, String> files = new LinkedHashMap<>();
        files.put(POOLING_DIRECTORY + "/config.json", pooling + "\n");
        files.put(SETTINGS, settings + "\n");
        files.put(MODULES, modules + "\n");
        return files;
    }

    private static JsonObject module(int index, String path, String kind) {
        JsonObject module = new JsonObject();
        module.addProperty("idx", index);
        module.addProperty("name", Integer.toString(index));
        module.addProperty("path", path);
        module.addProperty("type", "sentence_transformers.models." + kind);
        return module;
    }

    /** The one pooling mode a Pooling module's config.json sets. */
    static Pooling pooling(Path configFile) {
        if (!Files.isRegularFile(configFile)) {
            throw SparseInferException.invalidModel("missing " + configFile);
        }
        JsonObject config = object(parse(configFile), configFile);
        for (String flag : UNSUPPORTED_MODES) {
            if (flag(config, flag, configFile)) {
                throw SparseInferException.invalidModel(configFile + ": " + flag + " is not supported");
            }
        }
        List<String> set = new ArrayList<>();
        for (String flag : SUPPORTED_MODES.keySet()) {
            if (flag(config, flag, configFile)) {
                set.add(flag);
            }
        }
        if (set.size() != 1) {
            throw SparseInferException.invalidModel(
                    configFile + ": expected exactly one pooling mode set to true, found "
                            + (set.isEmpty()
                                    ? "none"
                                    : String.join(" and ", set.stream().sorted().toList())));
        }
        return SUPPORTED_MODES.get(set.getFirst());
    }

    /** A Pooling module's {@code include_prompt}, true where it does not say (as sentence-transformers defaults). */
    private static boolean includePrompt(Path configFile) {
        JsonObject config = object(parse(configFile), configFile);
        return !config.has(INCLUDE_PROMPT)
                || config.get(INCLUDE_PROMPT).isJsonNull()
                || flag(config, INCLUDE_PROMPT, configFile);
    }

    private static EmbeddingRecipe withPrompts(Pooling pooling, boolean normalize, Path settingsFile) {
        if (!Files.isRegularFile(settingsFile)) {
            return EmbeddingRecipe.of(pooling, normalize);
        }
        JsonObject settings = object(parse(settingsFile), settingsFile);
        Map<String, String> prompts = new LinkedHashMap<>();
        JsonElement promptsJson = settings.get("prompts");
        if (promptsJson != null && !promptsJson.isJsonNull()) {
            if (!promptsJson.isJsonObject()) {
                throw SparseInferException.invalidModel(settingsFile + ": \"prompts\" is not an object");
            }
            for (Map.Entry<String, JsonElement> e :
                    promptsJson.getAsJsonObject().entrySet()) {
                if (!isString(e.getValue())) {
                    throw SparseInferException.invalidModel(
                            settingsFile + ": prompt '" + e.getKey() + "' is not a string");
                }
                prompts.put(e.getKey(), e.getValue().getAsString());
            }
        }
        JsonElement defaultJson = settings.get("default_prompt_name");
        String defaultName = null;
        if (defaultJson != null && !defaultJson.isJsonNull()) {
            if (!isString(defaultJson)) {
                throw SparseInferException.invalidModel(settingsFile + ": \"default_prompt_name\" is not a string");
            }
            defaultName = defaultJson.getAsString();
            if (!prompts.containsKey(defaultName)) {
                throw SparseInferException.invalidModel(settingsFile + ": default_prompt_name '" + defaultName
                        + "' is not one of the prompts " + prompts.keySet());
            }
        }
        return new EmbeddingRecipe(pooling, normalize, prompts, defaultName);
    }

    /** A module's folder; like a shard, it must lie inside the model directory. */
    private static Path moduleDirectory(Path directory, JsonObject module, Path modulesFile) {
        String path = string(module, "path", modulesFile);
        Path root = directory.toAbsolutePath().normalize();
        Path resolved = root.resolve(path).normalize();
        if (!resolved.startsWith(root)) {
            throw SparseInferException.invalidModel(
                    modulesFile + ": module path '" + path + "' is outside the model directory");
        }
        return resolved;
    }

    private static boolean flag(JsonObject config, String name, Path file) {
        JsonElement value = config.get(name);
        if (value == null || value.isJsonNull()) {
            return false;
        }
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isBoolean()) {
            throw SparseInferException.invalidModel(file + ": \"" + name + "\" is not true or false");
        }
        return value.getAsBoolean();
    }

    private static String string(JsonObject object, String name, Path file) {
        JsonElement value = object.get(name);
        if (!isString(value)) {
            throw SparseInferException.invalidModel(file + ": a module has no \"" + name + "\" string");
        }
        return value.getAsString();
    }

    private static boolean isString(JsonElement value) {
        return value != null
                && value.isJsonPrimitive()
                && value.getAsJsonPrimitive().isString();
    }

    private static JsonObject object(JsonElement element, Path file) {
        if (!element.isJsonObject()) {
            throw SparseInferException.invalidModel(file + ": expected a JSON object");
        }
        return element.getAsJsonObject();
    }

    private static JsonElement parse(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SparseInferException(
                    SparseInferException.Code.IO,
                    "cannot read " + file + ": " + e.getClass().getSimpleName() + " " + e.getMessage(),
                    e);
        }
        try {
            return JsonParser.parseString(text);
        } catch (RuntimeException e) {
            String reason = e.getMessage() == null
                    ? e.getClass().getSimpleName()
                    : e.getMessage().lines().findFirst().orElse("");
            throw SparseInferException.invalidModel(file + ": not valid JSON (" + reason + ")");
        }
    }
}
