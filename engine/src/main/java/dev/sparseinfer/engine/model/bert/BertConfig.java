package dev.sparseinfer.engine.model.bert;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.sparseinfer.engine.api.SparseInferException;

/**
 * The architecture of a BERT-style encoder (BERT, RoBERTa, XLM-RoBERTa, DistilBERT, MPNet: see
 * {@link Architecture}).
 * Field names follow Hugging Face's {@code config.json}, which is also how the config is written into packed
 * files. Pruned models may have fewer heads or FFN channels in some layers than {@link #heads()} and
 * {@link #intermediateSize()} say: the encoder takes each layer's sizes from its weights, and these fields give the
 * original architecture.
 *
 * @param typeVocabSize token-type rows; 1 for the families without token types (DistilBERT and MPNet have no table,
 *     and run with one row of zeros)
 * @param padTokenId the padding index positions are counted from where {@link Architecture#positionsAfterPadding()}
 *     holds; unused otherwise
 */
public record BertConfig(
        Architecture architecture,
        int vocabSize,
        int hiddenSize,
        int layers,
        int heads,
        int intermediateSize,
        int maxPositions,
        int typeVocabSize,
        double layerNormEps,
        String hiddenAct,
        int padTokenId) {

    /** The only activation implemented: exact erf GELU, which Hugging Face calls {@code gelu}. */
    public static final String GELU = "gelu";

    /** DistilBERT's LayerNorms are built with this epsilon; its config does not say. */
    private static final double DISTILBERT_LAYER_NORM_EPS = 1e-12;

    public BertConfig {
        require(architecture != null, "no architecture");
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
        require(
                !architecture.positionsAfterPadding() || (padTokenId >= 0 && padTokenId + 1 < maxPositions),
                "pad_token_id " + padTokenId + " leaves no position of the " + maxPositions
                        + " max_position_embeddings");
    }

    /** A BERT config. */
    public BertConfig(
            int vocabSize,
            int hiddenSize,
            int layers,
            int heads,
            int intermediateSize,
            int maxPositions,
            int typeVocabSize,
            double layerNormEps,
            String hiddenAct) {
        this(
                Architecture.BERT,
                vocabSize,
                hiddenSize,
                layers,
                heads,
                intermediateSize,
                maxPositions,
                typeVocabSize,
                layerNormEps,
                hiddenAct,
                0);
    }

    public int headDim() {
        return hiddenSize / heads;
    }

    /** The position id of a sequence's first token. */
    public int firstPosition() {
        return architecture.positionsAfterPadding() ? padTokenId + 1 : 0;
    }

    /** The most tokens one sequence may have: the position table's rows from {@link #firstPosition()} on. */
    public int maxTokens() {
        return maxPositions - firstPosition();
    }

    /** The same architecture with {@code layers} layers. */
    public BertConfig withLayers(int layers) {
        return new BertConfig(
                architecture,
                vocabSize,
                hiddenSize,
                layers,
                heads,
                intermediateSize,
                maxPositions,
                typeVocabSize,
                layerNormEps,
                hiddenAct,
                padTokenId);
    }

    /**
     * Parses a Hugging Face {@code config.json} of any {@link Architecture} (BERT where it names no
     * {@code model_type}, as old BERT configs and packed files written before other families existed do).
     */
    public static BertConfig fromJson(String json, String source) {
        try {
            JsonObject o = JsonParser.parseString(json).getAsJsonObject();
            Architecture architecture =
                    o.has("model_type") ? Architecture.parse(o.get("model_type").getAsString()) : Architecture.BERT;
            return architecture == Architecture.DISTILBERT ? distilBert(o, source) : bertLike(architecture, o, source);
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

    /**
     * BERT's keys, which RoBERTa, XLM-RoBERTa and MPNet share; their defaults are the transformers classes'. MPNet
     * has no token types, whatever {@code type_vocab_size} a config may carry over.
     */
    private static BertConfig bertLike(Architecture architecture, JsonObject o, String source) {
        int defaultPad = architecture.positionsAfterPadding() ? 1 : 0;
        return new BertConfig(
                architecture,
                intField(o, "vocab_size", source),
                intField(o, "hidden_size", source),
                intField(o, "num_hidden_layers", source),
                intField(o, "num_attention_heads", source),
                intField(o, "intermediate_size", source),
                intField(o, "max_position_embeddings", source),
                architecture.withoutTokenTypes()
                        ? 1
                        : o.has("type_vocab_size") ? intField(o, "type_vocab_size", source) : 2,
                o.has("layer_norm_eps") ? o.get("layer_norm_eps").getAsDouble() : 1e-12,
                o.has("hidden_act") ? o.get("hidden_act").getAsString() : GELU,
                hasValue(o, "pad_token_id") ? intField(o, "pad_token_id", source) : defaultPad);
    }

    /** DistilBERT's own keys ({@code dim}, {@code n_layers}, ...); it has no token types. */
    private static BertConfig distilBert(JsonObject o, String source) {
        return new BertConfig(
                Architecture.DISTILBERT,
                intField(o, "vocab_size", source),
                intField(o, "dim", source),
                intField(o, "n_layers", source),
                intField(o, "n_heads", source),
                intField(o, "hidden_dim", source),
                intField(o, "max_position_embeddings", source),
                1,
                DISTILBERT_LAYER_NORM_EPS,
                o.has("activation") ? o.get("activation").getAsString() : GELU,
                hasValue(o, "pad_token_id") ? intField(o, "pad_token_id", source) : 0);
    }

    /** The config in its family's own {@code config.json} keys, which {@link #fromJson} reads back. */
    public String toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("model_type", architecture.modelType());
        o.addProperty("vocab_size", vocabSize);
        o.addProperty("max_position_embeddings", maxPositions);
        if (architecture.positionsAfterPadding()) {
            o.addProperty("pad_token_id", padTokenId);
        }
        if (architecture == Architecture.DISTILBERT) {
            o.addProperty("dim", hiddenSize);
            o.addProperty("n_layers", layers);
            o.addProperty("n_heads", heads);
            o.addProperty("hidden_dim", intermediateSize);
            o.addProperty("activation", hiddenAct);
            return o.toString();
        }
        o.addProperty("hidden_size", hiddenSize);
        o.addProperty("num_hidden_layers", layers);
        o.addProperty("num_attention_heads", heads);
        o.addProperty("intermediate_size", intermediateSize);
        o.addProperty("type_vocab_size", typeVocabSize);
        o.addProperty("layer_norm_eps", layerNormEps);
        o.addProperty("hidden_act", hiddenAct);
        return o.toString();
    }

    private static boolean hasValue(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull();
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
