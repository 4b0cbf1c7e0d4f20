package dev.sparseinfer.engine.testing;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.sparseinfer.engine.format.FloatTensor;
import dev.sparseinfer.engine.io.safetensors.DType;
import dev.sparseinfer.engine.io.safetensors.SafetensorsWriter;
import dev.sparseinfer.engine.model.bert.BertCheckpoint;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.model.bert.BertWeights;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A tiny random BERT written as a Hugging Face directory, as {@code save_pretrained} leaves it for a
 * {@code BertModel}: {@code config.json} with the usual extra keys, and {@code model.safetensors} holding the
 * encoder, the pooler and {@code embeddings.position_ids}, with a few tensors in F16 as a half-precision
 * checkpoint has them. No tokenizer.
 *
 * @param tensors every tensor written, by name, as the values a reader must get back (F16 ones already rounded)
 * @param encoder the encoder those values make, built straight from them (not through any loader)
 */
public record TinyBert(Path directory, BertConfig config, Map<String, float[]> tensors, BertWeights encoder) {

    /** 3 heads of 4, an FFN width that is no multiple of anything, more positions than tests need. */
    public static final BertConfig CONFIG = new BertConfig(50, 12, 2, 3, 20, 16, 2, 1e-12, BertConfig.GELU);

    /** The tensors stored as F16; the rest are F32 (position ids are I64). */
    public static final Set<String> HALF_PRECISION = Set.of(
            "embeddings.word_embeddings.weight", "encoder.layer.1.intermediate.dense.weight", "pooler.dense.bias");

    public static final String POSITION_IDS = "embeddings.position_ids";

    /** Writes the model into {@code directory} (created if needed) with weights drawn from {@code seed}. */
    public static TinyBert write(Path directory, long seed) {
        Random random = new Random(seed);
        Map<String, FloatTensor> weights = new LinkedHashMap<>(RandomBert.tensors(CONFIG, random));
        int h = CONFIG.hiddenSize();
        weights.put("pooler.dense.weight", tensor("pooler.dense.weight", Seeds.gaussian(random, h * h, 0.3), h, h));
        weights.put("pooler.dense.bias", tensor("pooler.dense.bias", Seeds.gaussian(random, h, 0.1), h));

        SafetensorsWriter out = new SafetensorsWriter().metadata("format", "pt");
        Map<String, float[]> written = new LinkedHashMap<>();
        Map<String, FloatTensor> encoder = new LinkedHashMap<>();
        long[] positions = new long[CONFIG.maxPositions()];
        float[] positionValues = new float[positions.length];
        for (int i = 0; i < positions.length; i++) {
            positions[i] = i;
            positionValues[i] = i;
        }
        out.add(POSITION_IDS, DType.I64, new int[] {1, positions.length}, littleEndian(positions));
        written.put(POSITION_IDS, positionValues);
        for (FloatTensor t : weights.values()) {
            if (HALF_PRECISION.contains(t.name())) {
                out.addF16(t.name(), t.shape(), t.data());
                written.put(t.name(), roundedToHalf(t.data()));
            } else {
                out.addF32(t.name(), t.shape(), t.data());
                written.put(t.name(), t.data());
            }
            encoder.put(t.name(), new FloatTensor(t.name(), t.shape(), written.get(t.name())));
        }
        try {
            Files.createDirectories(directory);
            Files.writeString(directory.resolve("config.json"), configJson(CONFIG));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write(directory.resolve("model.safetensors"));
        return new TinyBert(
                directory,
                CONFIG,
                Collections.unmodifiableMap(written),
                BertCheckpoint.toWeights(encoder, CONFIG, "expected"));
    }

    /** A config.json as transformers writes it: our fields plus keys the loader must ignore. */
    public static String configJson(BertConfig config) {
        JsonObject json = JsonParser.parseString(config.toJson()).getAsJsonObject();
        JsonArray architectures = new JsonArray();
        architectures.add("BertModel");
        json.add("architectures", architectures);
        json.addProperty("attention_probs_dropout_prob", 0.1);
        json.addProperty("hidden_dropout_prob", 0.1);
        json.addProperty("initializer_range", 0.02);
        json.addProperty("pad_token_id", 0);
        json.addProperty("position_embedding_type", "absolute");
        json.addProperty("torch_dtype", "float32");
        json.addProperty("transformers_version", "4.46.3");
        return json.toString();
    }

    private static FloatTensor tensor(String name, float[] data, int... shape) {
        return new FloatTensor(name, shape, data);
    }

    private static float[] roundedToHalf(float[] values) {
        float[] r = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            r[i] = Float.float16ToFloat(Float.floatToFloat16(values[i]));
        }
        return r;
    }

    private static byte[] littleEndian(long[] values) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return b.array();
    }
}
