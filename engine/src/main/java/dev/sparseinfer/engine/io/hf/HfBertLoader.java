package dev.sparseinfer.engine.io.hf;

import dev.sparseinfer.engine.api.EmbeddingRecipe;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.io.MappedFile;
import dev.sparseinfer.engine.io.MappedModel;
import dev.sparseinfer.engine.io.WeightSource;
import dev.sparseinfer.engine.io.safetensors.SafetensorsFile;
import dev.sparseinfer.engine.io.safetensors.SafetensorsSource;
import dev.sparseinfer.engine.model.bert.BertCheckpoint;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.model.bert.BertLayerSource;
import dev.sparseinfer.engine.model.bert.BertWeights;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Loads the encoder of a Hugging Face directory of any {@link dev.sparseinfer.engine.model.bert.Architecture} (BERT,
 * RoBERTa, XLM-RoBERTa, DistilBERT, MPNet, told apart by {@code config.json}'s {@code model_type}): {@code config.json} and
 * {@code model.safetensors}, or a sharded checkpoint whose {@code model.safetensors.index.json} says which shard holds each tensor. Any dtype
 * safetensors allows for weights (F32, F16, BF16) is widened to fp32 as it is read; embedding tables are used
 * straight from the mapping in any of them, each row widened as it is looked up. Tensors the encoder does not use
 * (pooler, task heads, {@code position_ids}) are never read. Checkpoints llm-compressor wrote in its
 * {@code compressed-tensors} format are read through {@link CompressedTensorsSource}.
 */
public final class HfBertLoader {

    static final String CONFIG = "config.json";
    static final String SINGLE = "model.safetensors";
    static final String INDEX = "model.safetensors.index.json";

    private static final List<String> ENCODER_PREFIXES = List.of("bert.", "roberta.", "distilbert.", "mpnet.");

    private HfBertLoader() {}

    /** Reads the whole encoder into memory; the files are unmapped before this returns. */
    public static BertWeights load(Path directory) {
        try (MappedModel model = open(directory, "")) {
            return BertCheckpoint.inMemory(model.weights());
        }
    }

    /** Maps the checkpoint's files; the model's layers are read from them as it is built (see {@link MappedModel}). */
    public static MappedModel open(Path directory, String tokenizerJson) {
        Path configFile = directory.resolve(CONFIG);
        String configJson = read(configFile);
        BertConfig config = BertConfig.fromJson(configJson, configFile.toString());
        Optional<CompressedTensorsConfig> compressed =
                CompressedTensorsConfig.fromConfigJson(configJson, configFile.toString());
        Path single = directory.resolve(SINGLE);
        Map<Path, List<String>> shards = Files.isRegularFile(single) ? null : shards(directory);
        List<MappedFile> opened = new ArrayList<>();
        try {
            Map<String, SafetensorsFile> fileOf = new LinkedHashMap<>();
            if (shards == null) {
                SafetensorsFile file = SafetensorsFile.open(single);
                opened.add(file);
                take(file, file.tensors().keySet(), fileOf);
            } else {
                for (Map.Entry<Path, List<String>> shard : shards.entrySet()) {
                    SafetensorsFile file = SafetensorsFile.open(shard.getKey());
                    opened.add(file);
                    take(file, shard.getValue(), fileOf);
                }
            }
            SafetensorsSource stored = new SafetensorsSource(fileOf, directory.toString());
            WeightSource source = compressed
                    .<WeightSource>map(c -> new CompressedTensorsSource(stored, c))
                    .orElse(stored);
            BertLayerSource weights = BertCheckpoint.read(source, config);
            return new MappedModel(
                    weights,
                    tokenizerJson,
                    directory.toString(),
                    Map.of(),
                    EmbeddingRecipe.MEAN_NORMALIZED,
                    opened,
                    compressed.map(CompressedTensorsConfig::describe));
        } catch (RuntimeException e) {
            opened.forEach(MappedFile::close);
            throw e;
        }
    }

    private static void take(SafetensorsFile file, Collection<String> names, Map<String, SafetensorsFile> fileOf) {
        for (String name : names) {
            if (usedByEncoder(name)) {
                fileOf.put(name, file);
            }
        }
    }

    /**
     * Names as in {@code BertModel}, {@code RobertaModel}, {@code MPNetModel} or {@code DistilBertModel}
     * ({@code transformer.}), or with
     * the prefix of the task models that wrap them.
     */
    private static boolean usedByEncoder(String name) {
        String local = name;
        for (String prefix : ENCODER_PREFIXES) {
            if (name.startsWith(prefix)) {
                local = name.substring(prefix.length());
                break;
            }
        }
        return (local.startsWith("embeddings.") && !local.equals("embeddings.position_ids"))
                || local.startsWith("encoder.")
                || local.startsWith("transformer.");
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
            throw new SparseInferException(
                    SparseInferException.Code.IO,
                    "cannot read " + file + ": " + e.getClass().getSimpleName() + " " + e.getMessage(),
                    e);
        }
    }
}
