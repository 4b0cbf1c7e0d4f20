package dev.sparseinfer.engine.testing;

import dev.sparseinfer.engine.format.FloatTensor;
import dev.sparseinfer.engine.io.safetensors.SafetensorsWriter;
import dev.sparseinfer.engine.model.bert.Architecture;
import dev.sparseinfer.engine.model.bert.BertCheckpoint;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.model.bert.BertWeights;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A tiny random MPNet written as a Hugging Face directory as {@code save_pretrained} leaves it: {@code config.json}
 * in MPNet's keys, {@code model.safetensors} with {@code MPNetModel}'s tensor names (under {@code mpnet.} if asked)
 * and a pooler the encoder does not use, and a WordPiece {@code tokenizer.json} that keeps texts long enough for
 * the relative position bias to reach its last buckets (distances of 128 and more).
 *
 * @param encoder the encoder the written values make, built from BERT-named copies of them (not through any loader),
 *     with the single row of zeros MPNet runs with for token types
 * @param relativePositionBias the written {@code [rows, heads]} bias table, row-major
 */
public record TinyMpNet(Path directory, BertConfig config, BertWeights encoder, float[] relativePositionBias) {

    /** The tokenizer's {@code [PAD]}, which positions are counted from. */
    public static final int PAD = 0;

    public static final int MAX_TOKENS = 150;

    /** 3 heads of 4, an odd FFN width, positions for {@link #MAX_TOKENS} tokens after the padding index. */
    public static BertConfig tinyConfig() {
        return new BertConfig(
                Architecture.MPNET, 30, 12, 2, 3, 20, MAX_TOKENS + PAD + 1, 1, 1e-5, BertConfig.GELU, PAD);
    }

    /** Writes the model with weights drawn from {@code seed} and a bias table of {@code biasRows} buckets. */
    public static TinyMpNet write(Path directory, String prefix, int biasRows, long seed) {
        BertConfig config = tinyConfig();
        Random random = new Random(seed);
        Map<String, FloatTensor> bert = new LinkedHashMap<>(RandomBert.tensors(config, random));
        String types = "embeddings.token_type_embeddings.weight";
        bert.put(types, new FloatTensor(types, new int[] {1, config.hiddenSize()}, new float[config.hiddenSize()]));
        float[] bias = Seeds.gaussian(random, biasRows * config.heads(), 1);
        String biasName = "encoder.relative_attention_bias.weight";
        bert.put(biasName, new FloatTensor(biasName, new int[] {biasRows, config.heads()}, bias));
        SafetensorsWriter out = new SafetensorsWriter().metadata("format", "pt");
        for (FloatTensor t : bert.values()) {
            if (!t.name().equals(types)) {
                out.addF32(prefix + mpnetName(t.name()), t.shape(), t.data());
            }
        }
        out.addF32(prefix + "pooler.dense.weight", new int[] {2, 2}, Seeds.gaussian(random, 4, 1));
        try {
            Files.createDirectories(directory);
            Files.writeString(directory.resolve("config.json"), configJson(config, biasRows));
            Files.writeString(directory.resolve("tokenizer.json"), TinyTokenizer.json(MAX_TOKENS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write(directory.resolve("model.safetensors"));
        return new TinyMpNet(directory, config, BertCheckpoint.toWeights(bert, config, "expected"), bias);
    }

    /** The config.json transformers writes for MPNet, with keys the loader must ignore. */
    private static String configJson(BertConfig c, int biasRows) {
        return """
                {"architectures":["MPNetModel"],"attention_probs_dropout_prob":0.1,"bos_token_id":0,
                 "eos_token_id":2,"hidden_act":"gelu","hidden_dropout_prob":0.1,"hidden_size":%d,
                 "initializer_range":0.02,"intermediate_size":%d,"layer_norm_eps":%s,
                 "max_position_embeddings":%d,"model_type":"mpnet","num_attention_heads":%d,"num_hidden_layers":%d,
                 "pad_token_id":%d,"relative_attention_num_buckets":%d,"torch_dtype":"float32",
                 "transformers_version":"4.46.3","vocab_size":%d}
                """.formatted(
                        c.hiddenSize(),
                        c.intermediateSize(),
                        c.layerNormEps(),
                        c.maxPositions(),
                        c.heads(),
                        c.layers(),
                        c.padTokenId(),
                        biasRows,
                        c.vocabSize());
    }

    /** MPNetModel's name for a BertModel tensor. */
    private static String mpnetName(String bert) {
        String[][] renames = {
            {".attention.self.query.", ".attention.attn.q."},
            {".attention.self.key.", ".attention.attn.k."},
            {".attention.self.value.", ".attention.attn.v."},
            {".attention.output.dense.", ".attention.attn.o."},
            {".attention.output.LayerNorm.", ".attention.LayerNorm."}
        };
        for (String[] r : renames) {
            if (bert.contains(r[0])) {
                return bert.replace(r[0], r[1]);
            }
        }
        return bert;
    }
}
