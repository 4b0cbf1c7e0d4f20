package dev.sparseinfer.engine.model.bert;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.format.FloatTensor;
import dev.sparseinfer.engine.format.LayerNormWeights;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.format.LinearWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps tensors named as in Hugging Face's {@code BertModel} ({@code embeddings.word_embeddings.weight},
 * {@code encoder.layer.3.attention.self.query.weight}, ...; an optional {@code bert.} prefix) to
 * {@link BertWeights}, checking every shape. Linear weights are expected as {@code [out, in]}; loaders of formats
 * that store them otherwise (ONNX MatMul initializers are {@code [in, out]}) transpose them first.
 */
public final class BertCheckpoint {

    private static final Pattern LAYER_INDEX = Pattern.compile("^encoder\\.layer\\.(\\d+)\\.");

    private final WeightSource tensors;
    private final String prefix;
    private final String source;

    private BertCheckpoint(WeightSource tensors) {
        this.tensors = tensors;
        this.source = tensors.source();
        this.prefix = tensors.has("bert.embeddings.word_embeddings.weight") ? "bert." : "";
    }

    /** Builds the weights from named tensors, with {@code heads} and {@code eps} taken from outside the weights. */
    public static BertWeights toWeights(Map<String, FloatTensor> tensors, int heads, double layerNormEps, String source) {
        BertCheckpoint c = new BertCheckpoint(WeightSource.of(tensors, source));
        return c.build(c.inferConfig(heads, layerNormEps));
    }

    /** Builds the weights from named tensors, checking them against a known config. */
    public static BertWeights toWeights(Map<String, FloatTensor> tensors, BertConfig config, String source) {
        return toWeights(WeightSource.of(tensors, source), config);
    }

    /** Builds the weights from a source whose linear layers may be in any format, checking them against a config. */
    public static BertWeights toWeights(WeightSource tensors, BertConfig config) {
        BertCheckpoint c = new BertCheckpoint(tensors);
        BertConfig inferred = c.inferConfig(config.heads(), config.layerNormEps());
        if (inferred.layers() != config.layers() || inferred.hiddenSize() != config.hiddenSize()
                || inferred.vocabSize() != config.vocabSize()) {
            throw SparseInferException.invalidModel(tensors.source() + ": weights (" + inferred.layers() + " layers, hidden "
                    + inferred.hiddenSize() + ", vocab " + inferred.vocabSize() + ") do not match the config ("
                    + config.layers() + " layers, hidden " + config.hiddenSize() + ", vocab " + config.vocabSize() + ")");
        }
        return c.build(config);
    }

    private BertConfig inferConfig(int heads, double eps) {
        FloatTensor word = tensor("embeddings.word_embeddings.weight");
        FloatTensor position = tensor("embeddings.position_embeddings.weight");
        FloatTensor type = tensor("embeddings.token_type_embeddings.weight");
        if (word.rank() != 2 || position.rank() != 2 || type.rank() != 2) {
            throw SparseInferException.invalidModel(source + ": embedding tables must be 2-D");
        }
        int layers = countLayers();
        int intermediate = layers == 0 ? 4 * word.shape()[1]
                : tensors.linear(prefix + "encoder.layer.0.intermediate.dense").outFeatures();
        return new BertConfig(word.shape()[0], word.shape()[1], layers, heads, intermediate,
                position.shape()[0], type.shape()[0], eps, BertConfig.GELU);
    }

    private int countLayers() {
        int max = -1;
        for (String name : tensors.names()) {
            String local = name.startsWith(prefix) ? name.substring(prefix.length()) : name;
            Matcher m = LAYER_INDEX.matcher(local);
            if (m.find()) {
                max = Math.max(max, Integer.parseInt(m.group(1)));
            }
        }
        return max + 1;
    }

    private BertWeights build(BertConfig config) {
        int hidden = config.hiddenSize();
        BertEmbeddings embeddings = new BertEmbeddings(
                tensor("embeddings.word_embeddings.weight").matrix(config.vocabSize(), hidden),
                tensor("embeddings.position_embeddings.weight").matrix(config.maxPositions(), hidden),
                tensor("embeddings.token_type_embeddings.weight").matrix(config.typeVocabSize(), hidden),
                norm("embeddings.LayerNorm", hidden));
        List<BertLayer> layers = new ArrayList<>();
        for (int i = 0; i < config.layers(); i++) {
            String p = "encoder.layer." + i + ".";
            Linear query = linear(p + "attention.self.query", -1, hidden);
            int attentionWidth = query.outFeatures();
            if (attentionWidth % config.headDim() != 0) {
                throw SparseInferException.invalidModel(source + ": " + query.name() + " has " + attentionWidth
                        + " outputs, not a whole number of " + config.headDim() + "-wide heads");
            }
            Linear intermediate = linear(p + "intermediate.dense", -1, hidden);
            layers.add(new BertLayer(
                    query,
                    linear(p + "attention.self.key", attentionWidth, hidden),
                    linear(p + "attention.self.value", attentionWidth, hidden),
                    linear(p + "attention.output.dense", hidden, attentionWidth),
                    norm(p + "attention.output.LayerNorm", hidden),
                    intermediate,
                    linear(p + "output.dense", hidden, intermediate.outFeatures()),
                    norm(p + "output.LayerNorm", hidden)));
        }
        return new BertWeights(config, embeddings, layers);
    }

    private Linear linear(String name, int out, int in) {
        LinearWeights weight = tensors.linear(prefix + name);
        if ((out >= 0 && weight.outFeatures() != out) || weight.inFeatures() != in) {
            throw SparseInferException.invalidModel(source + ": " + prefix + name + " is [" + weight.outFeatures() + ", "
                    + weight.inFeatures() + "], expected [" + (out >= 0 ? out : "?") + ", " + in + "]");
        }
        float[] bias = tensor(name + ".bias").vector(weight.outFeatures());
        return new Linear(name, weight, bias);
    }

    private LayerNormWeights norm(String name, int features) {
        // Old TF-converted checkpoints call the LayerNorm parameters gamma/beta.
        String scale = has(name + ".weight") ? ".weight" : ".gamma";
        String shift = has(name + ".bias") ? ".bias" : ".beta";
        return new LayerNormWeights(name, tensor(name + scale).vector(features), tensor(name + shift).vector(features));
    }

    private boolean has(String name) {
        return tensors.has(prefix + name);
    }

    private FloatTensor tensor(String name) {
        return tensors.tensor(prefix + name);
    }
}
