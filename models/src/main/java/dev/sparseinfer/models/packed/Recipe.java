package dev.sparseinfer.models.packed;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.io.packed.PackedModel;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a packed model was made, stored as JSON in its {@code sparseinfer.recipe} metadata: the source model and
 * each step applied (pruning method, pattern, sparsity, calibration size; quantisation scheme). Steps accumulate:
 * quantising a pruned model keeps the pruning entries.
 */
public record Recipe(Map<String, String> entries) {

    public Recipe {
        entries = Map.copyOf(entries);
    }

    /** The recipe a model was made with, or a fresh one naming it as the source. */
    public static Recipe of(LoadedModel model) {
        String json = model.metadata().get(PackedModel.RECIPE_KEY);
        return json != null ? fromJson(json) : new Recipe(Map.of("source", model.source()));
    }

    /** The recipe in a packed file's metadata; empty when it has none. */
    public static Recipe of(Map<String, String> metadata) {
        String json = metadata.get(PackedModel.RECIPE_KEY);
        return json != null ? fromJson(json) : new Recipe(Map.of());
    }

    public Recipe with(String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(entries);
        m.put(key, value);
        return new Recipe(m);
    }

    public String toJson() {
        JsonObject o = new JsonObject();
        entries.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> o.addProperty(e.getKey(), e.getValue()));
        return o.toString();
    }

    public static Recipe fromJson(String json) {
        Map<String, String> m = new LinkedHashMap<>();
        JsonParser.parseString(json)
                .getAsJsonObject()
                .entrySet()
                .forEach(e -> m.put(e.getKey(), e.getValue().getAsString()));
        return new Recipe(m);
    }
}
