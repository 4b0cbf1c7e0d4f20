package dev.sparseinfer.engine.model.bert;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.sparseinfer.engine.api.SparseInferException;

/**
 * The architecture of a BERT encoder. Field names follow Hugging Face's {@code config.json}, which is also how
 * the config is written into packed files. Pruned models may have fewer heads or FFN channels in some layers
 * than {@link #heads()} and {@link #intermediateSize()} say: the encoder takes each layer's sizes from its
 * weights, and these fields give the original architecture.
 */
public record BertConfig(
        int vocabSize,
        int hiddenSize,
        int layers,
        int heads,
        int intermediateSize,
        int maxPositions,
        int typeVocabSize,
        double layerNormEps,
        String hiddenAct) {

    /** The only activation implemented: exact erf GELU, which Hugging Face calls {@code gelu}. */
    public static final String GELU = "gelu";

    public BertConfig {
        require(vocabSize > 0, "vocab_size must be positive, got " + vocabSize);
        require(hiddenSize > 0, "hidden_size must be positive, got " + hiddenSize);
        require(layers >= 0, "num_hidden_layers must not be negative, got " + layers);
        require(
                heads > 0 && hiddenSize % heads == 0,
                "num_attention_heads (" + heads + ") must divide hidden_size (" + hiddenSize + ")");
        require(intermediateSize > 0, "intermediate_size must be positive, got " + intermediateSize);
        require(maxPositions > 0, "max_position_embeddings must be positive, got " + maxPositions);
        require(typeVocabSize > 0, "type_vocab_size must be positive, got " + typeVocabSize);
        require(layerNormEps > 0 && layerNormEps < 1, "layer_norm_eps must be in (0, 1), got " + layerNormEps);
        require(GELU.equals(hiddenAct), "hidden_act '" + hiddenAct + "' is not supported (only 'gelu')");
    }

    public int headDim() {
        return hiddenSize / heads;
    }

    /** Parses a Hugging Face BERT {@code config.json}. */
    public static BertConfig fromJson(String json, String source) {
        try {
            JsonObject o = JsonParser.parseString(json).getAsJsonObject();
            return new BertConfig(
                    intField(o, "vocab_size", source),
                    intField(o, "hidden_size", source),
                    intField(o, "num_hidden_layers", source),
                    intField(o, "num_attention_heads", source),
                    intField(o, "intermediate_size", source),
                    intField(o, "max_position_embeddings", source),
                    o.has("type_vocab_size") ? intField(o, "type_vocab_size", source) : 2,
                    o.has("layer_norm_eps") ? o.get("layer_norm_eps").getAsDouble() : 1e-12,
                    o.has("hidden_act") ? o.get("hidden_act").getAsString() : GELU);
        } catch (SparseInferException e) {
            throw SparseInferException.invalidModel(source + ": " + e.getMessage());
        } catch (RuntimeException e) {
            // Gson's messages run to several lines (advice, a link); the first says what is wrong and where.
            String why = e.getMessage() == null
                    ? e.getClass().getSimpleName()
                    : e.getMessage().lines().findFirst().orElse("");
            throw SparseInferException.invalidModel(source + ": not a valid BERT config (" + why + ")");
        }
    }

    public String toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("model_type", "bert");
        o.addProperty("vocab_size", vocabSize);
        o.addProperty("hidden_size", hiddenSize);
        o.addProperty("num_hidden_layers", layers);
        o.addProperty("num_attention_heads", heads);
        o.addProperty("intermediate_size", intermediateSize);
        o.addProperty("max_position_embeddings", maxPositions);
        o.addProperty("type_vocab_size", typeVocabSize);
        o.addProperty("layer_norm_eps", layerNormEps);
        o.addProperty("hidden_act", hiddenAct);
        return o.toString();
    }

    private static int intField(JsonObject o, String key, String source) {
        if (!o.has(key) || !o.get(key).isJsonPrimitive()) {
            throw SparseInferException.invalidModel(source + ": config has no '" + key + "'");
        }
        return o.get(key).getAsInt();
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw SparseInferException.invalidModel(message);
        }
    }
}
