package dev.sparseinfer.engine.io.hf;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.format.Int8Scheme;
import java.util.List;
import java.util.Optional;

/**
 * What a {@code config.json} written by llm-compressor says of its {@code compressed-tensors} weights: the sparsity
 * format (the non-zeros and a bitmask of where they sit), the quantisation format (int8 weights with their scales),
 * and whether activations are quantised too. Only what SparseInfer runs exactly is accepted: 8-bit integer weights
 * per channel or per tensor, and activations either fp32 or quantised dynamically to 8-bit integers.
 *
 * @param sparsityFormat     {@code sparse-bitmask}, {@code sparse-24-bitmask}, or null where weights are stored dense
 * @param quantizationFormat {@code int-quantized} (or its alias {@code naive-quantized}), or null for float weights
 * @param activations        how int8 layers treat their input: {@link Int8Scheme#W8A8} when the file quantises
 *                           activations, else {@link Int8Scheme#W8}
 */
public record CompressedTensorsConfig(String sparsityFormat, String quantizationFormat, Int8Scheme activations) {

    static final List<String> SPARSITY_FORMATS = List.of("sparse-bitmask", "sparse-24-bitmask");
    static final List<String> QUANTIZATION_FORMATS = List.of("int-quantized", "naive-quantized");

    /** The description of the file's compression, or empty for a checkpoint that is not compressed-tensors. */
    public static Optional<CompressedTensorsConfig> fromConfigJson(String json, String source) {
        JsonObject config;
        try {
            JsonElement root = JsonParser.parseString(json);
            if (!root.isJsonObject()) {
                return Optional.empty();
            }
            config = root.getAsJsonObject();
        } catch (JsonParseException e) {
            return Optional.empty();
        }
        // Older llm-compressor releases wrote the same object under "compression_config".
        JsonObject q = object(config, "quantization_config");
        if (q == null) {
            q = object(config, "compression_config");
        }
        if (q == null || !"compressed-tensors".equals(string(q, "quant_method"))) {
            return Optional.empty();
        }
        String where = source + ": compressed-tensors ";
        JsonObject sparsity = object(q, "sparsity_config");
        String sparsityFormat = sparsity == null ? null : dense(string(sparsity, "format"));
        if (sparsityFormat != null && !SPARSITY_FORMATS.contains(sparsityFormat)) {
            throw SparseInferException.invalidModel(where + "sparsity format '" + sparsityFormat
                    + "' is not supported (supported: " + String.join(", ", SPARSITY_FORMATS) + ")");
        }
        JsonObject groups = object(q, "config_groups");
        String quantizationFormat = groups == null || groups.isEmpty() ? null : dense(string(q, "format"));
        if (quantizationFormat != null && !QUANTIZATION_FORMATS.contains(quantizationFormat)) {
            throw SparseInferException.invalidModel(where + "quantization format '" + quantizationFormat
                    + "' is not supported (supported: " + String.join(", ", QUANTIZATION_FORMATS) + ")");
        }
        Int8Scheme activations = Int8Scheme.W8;
        if (quantizationFormat != null) {
            for (String name : groups.keySet()) {
                JsonObject group = object(groups, name);
                if (group == null) {
                    throw SparseInferException.invalidModel(where + "config group '" + name + "' is not an object");
                }
                checkWeights(object(group, "weights"), where + "group '" + name + "'");
                if (object(group, "input_activations") != null) {
                    checkActivations(object(group, "input_activations"), where + "group '" + name + "'");
                    activations = Int8Scheme.W8A8;
                }
            }
        }
        return Optional.of(new CompressedTensorsConfig(sparsityFormat, quantizationFormat, activations));
    }

    /** Whether any weight is stored as a bitmask and its non-zeros. */
    public boolean sparse() {
        return sparsityFormat != null;
    }

    /** Whether weights are stored as int8 with scales. */
    public boolean quantized() {
        return quantizationFormat != null;
    }

    /** One line for the model's notice: what the file holds and how it runs. */
    public String describe() {
        StringBuilder line = new StringBuilder("compressed-tensors checkpoint");
        if (sparse()) {
            line.append(", ").append(sparsityFormat).append(" weights unpacked into the sparse format they fit");
        }
        if (quantized()) {
            line.append(", ")
                    .append(quantizationFormat)
                    .append(" weights kept as int8 ")
                    .append(activations.label())
                    .append(" with the file's values and scales");
            if (activations == Int8Scheme.W8A8) {
                line.append(" (activations quantised per token, as the file asks)");
            }
        }
        return line.toString();
    }

    private static void checkWeights(JsonObject weights, String where) {
        if (weights == null) {
            throw SparseInferException.invalidModel(where + " quantizes no weights");
        }
        checkEightBitInt(weights, where + " weights");
        String strategy = string(weights, "strategy");
        if (strategy != null && !strategy.equals("channel") && !strategy.equals("tensor")) {
            throw SparseInferException.invalidModel(where + " weights use the '" + strategy
                    + "' strategy; only 'channel' and 'tensor' scales are supported");
        }
    }

    private static void checkActivations(JsonObject activations, String where) {
        checkEightBitInt(activations, where + " activations");
        JsonElement dynamic = activations.get("dynamic");
        if (dynamic == null || !dynamic.isJsonPrimitive() || !dynamic.getAsBoolean()) {
            throw SparseInferException.invalidModel(
                    where + " activations use static scales; only dynamic activation quantisation is supported");
        }
        JsonElement symmetric = activations.get("symmetric");
        if (symmetric != null && symmetric.isJsonPrimitive() && !symmetric.getAsBoolean()) {
            throw SparseInferException.invalidModel(
                    where + " activations are asymmetric; only symmetric activation quantisation is supported");
        }
    }

    private static void checkEightBitInt(JsonObject args, String where) {
        JsonElement bits = args.get("num_bits");
        String type = string(args, "type");
        boolean eightBits = bits != null
                && bits.isJsonPrimitive()
                && bits.getAsJsonPrimitive().isNumber()
                && bits.getAsInt() == 8;
        if (!eightBits || (type != null && !type.equals("int"))) {
            throw SparseInferException.invalidModel(where + " are " + (bits == null ? "?" : bits.toString()) + "-bit "
                    + (type == null ? "int" : type) + "; only 8-bit int is supported");
        }
    }

    /** Null for the formats that store weights as plain tensors. */
    private static String dense(String format) {
        return format == null || format.equals("dense") ? null : format;
    }

    private static JsonObject object(JsonObject parent, String key) {
        JsonElement e = parent.get(key);
        return e != null && e.isJsonObject() ? e.getAsJsonObject() : null;
    }

    private static String string(JsonObject parent, String key) {
        JsonElement e = parent.get(key);
        return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
    }
}
