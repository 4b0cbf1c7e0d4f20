package dev.sparseinfer.engine.io.hf;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import dev.sparseinfer.engine.api.SparseInferException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code model.safetensors.index.json} of a sharded Hugging Face checkpoint: its {@code weight_map} maps each
 * tensor name to the shard file that holds it. Grouped here by shard, so each shard is opened once.
 */
final class ShardIndex {

    private ShardIndex() {}

    /** Shard paths (resolved beside the index) to the tensor names each holds, in the index's order. */
    static Map<Path, List<String>> parse(String json, Path index) {
        JsonElement weightMap;
        try {
            JsonElement root = JsonParser.parseString(json);
            weightMap = root.isJsonObject() ? root.getAsJsonObject().get("weight_map") : null;
        } catch (RuntimeException e) {
            throw SparseInferException.invalidModel(index + ": not valid JSON ("
                    + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (weightMap == null || !weightMap.isJsonObject()) {
            throw SparseInferException.invalidModel(index + ": no \"weight_map\" object");
        }
        Path directory = index.toAbsolutePath().normalize().getParent();
        Map<Path, List<String>> shards = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : weightMap.getAsJsonObject().entrySet()) {
            JsonElement file = e.getValue();
            if (!file.isJsonPrimitive() || !file.getAsJsonPrimitive().isString()) {
                throw SparseInferException.invalidModel(
                        index + ": weight_map entry '" + e.getKey() + "' is not a file name");
            }
            // A shard is a file beside the index; a name with a path in it could read any file on the machine.
            Path shard = directory.resolve(file.getAsString()).normalize();
            if (!directory.equals(shard.getParent())) {
                throw SparseInferException.invalidModel(index + ": shard '" + file.getAsString() + "' of '" + e.getKey()
                        + "' is not a file in the model directory");
            }
            shards.computeIfAbsent(shard, s -> new ArrayList<>()).add(e.getKey());
        }
        return shards;
    }
}
