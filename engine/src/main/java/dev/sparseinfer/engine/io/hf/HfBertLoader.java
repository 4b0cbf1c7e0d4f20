package dev.sparseinfer.engine.io.hf;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.format.FloatTensor;
import dev.sparseinfer.engine.io.safetensors.SafetensorsFile;
import dev.sparseinfer.engine.model.bert.BertCheckpoint;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.model.bert.BertWeights;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads the encoder of a Hugging Face BERT directory: {@code config.json} and {@code model.safetensors}, or a
 * sharded checkpoint whose {@code model.safetensors.index.json} says which shard holds each tensor. Any dtype
 * safetensors allows for weights (F32, F16, BF16) is widened to fp32. Tensors the encoder does not use (pooler,
 * task heads, {@code position_ids}) are never converted.
 */
public final class HfBertLoader {

    static final String CONFIG = "config.json";
    static final String SINGLE = "model.safetensors";
    static final String INDEX = "model.safetensors.index.json";

    private HfBertLoader() {
    }

    public static BertWeights load(Path directory) {
        Path configFile = directory.resolve(CONFIG);
        BertConfig config = BertConfig.fromJson(read(configFile), configFile.toString());
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        Path single = directory.resolve(SINGLE);
        if (Files.isRegularFile(single)) {
            try (SafetensorsFile file = SafetensorsFile.open(single)) {
                take(file, file.tensors().keySet(), tensors);
            }
        } else {
            for (Map.Entry<Path, List<String>> shard : shards(directory).entrySet()) {
                try (SafetensorsFile file = SafetensorsFile.open(shard.getKey())) {
                    take(file, shard.getValue(), tensors);
                }
            }
        }
        return BertCheckpoint.toWeights(tensors, config, directory.toString());
    }

    private static void take(SafetensorsFile file, Collection<String> names, Map<String, FloatTensor> tensors) {
        for (String name : names) {
            if (usedByEncoder(name)) {
                tensors.put(name, file.readFloats(name));
            }
        }
    }

    /** Names as in {@code BertModel}, or with the {@code bert.} prefix of the task models that wrap it. */
    private static boolean usedByEncoder(String name) {
        String local = name.startsWith("bert.") ? name.substring("bert.".length()) : name;
        return (local.startsWith("embeddings.") && !local.equals("embeddings.position_ids"))
                || local.startsWith("encoder.");
    }

    /** The shard files the index names, each with the tensors it holds. */
    private static Map<Path, List<String>> shards(Path directory) {
        Path index = directory.resolve(INDEX);
        if (!Files.isRegularFile(index)) {
            throw SparseInferException.invalidModel(directory + ": missing " + SINGLE + " (and no " + INDEX + ")");
        }
        Map<Path, List<String>> shards = ShardIndex.parse(read(index), index);
        for (Path shard : shards.keySet()) {
            if (!Files.isRegularFile(shard)) {
                throw SparseInferException.invalidModel(index + ": missing shard " + shard.getFileName());
            }
        }
        return shards;
    }

    private static String read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw SparseInferException.invalidModel("missing " + file);
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SparseInferException(SparseInferException.Code.IO,
                    "cannot read " + file + ": " + e.getClass().getSimpleName() + " " + e.getMessage(), e);
        }
    }
}
