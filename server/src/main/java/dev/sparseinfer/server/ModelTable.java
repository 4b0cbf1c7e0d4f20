package dev.sparseinfer.server;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The served models by name, in the order they were given, and which one a request's {@code model} field picks. */
final class ModelTable {

    private final Map<String, ServedModel> byName = new LinkedHashMap<>();

    synchronized void add(ServedModel model) {
        if (byName.putIfAbsent(model.name(), model) != null) {
            throw new IllegalArgumentException("two models are named '" + model.name() + "'");
        }
    }

    synchronized Collection<ServedModel> all() {
        return List.copyOf(byName.values());
    }

    /**
     * The model named by the body's {@code model} field; without one, the only model, or for {@code /embed}, which
     * TEI clients call without naming a model, the first.
     */
    synchronized ServedModel pick(JsonObject body, boolean firstByDefault) {
        JsonElement field = body.get("model");
        if (field == null || field.isJsonNull()) {
            if (byName.size() == 1 || (firstByDefault && !byName.isEmpty())) {
                return byName.values().iterator().next();
            }
            throw ApiException.invalid("model", "'model' is missing; this server serves " + names());
        }
        if (!(field instanceof JsonPrimitive p) || !p.isString()) {
            throw ApiException.invalid("model", "'model' must be a string");
        }
        ServedModel model = byName.get(p.getAsString());
        if (model == null) {
            throw ApiException.notFound(
                    "model",
                    "model_not_found",
                    "the model '" + p.getAsString() + "' does not exist; this server serves " + names());
        }
        return model;
    }

    private String names() {
        return byName.isEmpty() ? "no models yet" : String.join(", ", byName.keySet());
    }
}
