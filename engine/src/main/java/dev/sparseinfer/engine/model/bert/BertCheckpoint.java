package dev.sparseinfer.engine.model.bert;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.backend.RelativePositionBias;
import dev.sparseinfer.engine.format.FloatTable;
import dev.sparseinfer.engine.format.FloatTensor;
import dev.sparseinfer.engine.format.LayerNormWeights;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.format.LinearWeights;
import dev.sparseinfer.engine.io.WeightSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps tensors named as in Hugging Face's {@code BertModel} ({@code embeddings.word_embeddings.weight},
 * {@code encoder.layer.3.attention.self.query.weight}, ...; an optional {@code bert.} or {@code roberta.} prefix,
 * which RoBERTa and XLM-RoBERTa share; DistilBERT's and MPNet's are renamed by {@link RenamedEncoder}) to a
 * {@link BertLayerSource} that reads one layer at a time, or to {@link BertWeights}, checking every shape. Linear weights are expected as {@code [out, in]}; loaders of formats
 * that store them otherwise (ONNX MatMul initializers are {@code [in, out]}) transpose them first.
 */
public final class BertCheckpoint {

    /** The prefixes under which task models ({@code BertForMaskedLM}, ...) save the encoder they wrap. */
    private static final List<String> WRAPPER_PREFIXES = List.of("bert.", "roberta.");

    /** MPNet's attention bias by relative position, named as in {@code MPNetModel}. */
    public static final String RELATIVE_POSITION_BIAS = "encoder.relative_attention_bias.weight";

    private static final Pattern LAYER_INDEX = Pattern.compile("^encoder\\.layer\\.(\\d+)\\.");

    private final WeightSource tensors;
    private final String prefix;
    private final String source;

    private BertCheckpoint(WeightSource tensors) {
        this.tensors = tensors;
        this.source = tensors.source();
        this.prefix = WRAPPER_PREFIXES.stream()
                .filter(p -> tensors.has(p + "embeddings.word_embeddings.weight"))
                .findFirst()
                .orElse("");
    }

    /** Builds the weights from named tensors, with {@code heads} and {@code eps} taken from outside the weights. */
    public static BertWeights toWeights(
            Map<String, FloatTensor> tensors, int heads, double layerNormEps, String source) {
        return inMemory(read(WeightSource.of(tensors, source), heads, layerNormEps));
    }

    /** Builds the weights from named tensors, checking them against a known config. */
    public static BertWeights toWeights(Map<String, FloatTensor> tensors, BertConfig config, String source) {
        return inMemory(read(WeightSource.of(tensors, source), config));
    }

    /**
     * The weights of a source whose linear layers may be in any format, checked against a config now, each layer's
     * shapes checked as it is read.
     */
    public static BertLayerSource read(WeightSource tensors, BertConfig config) {
        BertCheckpoint c = new BertCheckpoint(named(tensors, config.architecture()));
        BertConfig inferred =
                c.inferConfig(config.architecture(), config.heads(), config.layerNormEps(), config.padTokenId());
        if (inferred.layers() != config.layers()
                || inferred.hiddenSize() != config.hiddenSize()
                || inferred.vocabSize() != config.vocabSize()) {
            throw SparseInferException.invalidModel(
                    tensors.source() + ": weights (" + inferred.layers() + " layers, hidden "
                            + inferred.hiddenSize() + ", vocab " + inferred.vocabSize() + ") do not match the config ("
                            + config.layers() + " layers, hidden " + config.hiddenSize() + ", vocab "
                            + config.vocabSize() + ")");
        }
        return c.reader(config);
    }

    /** The weights of a source, with the config inferred from their shapes and {@code heads}, {@code eps} given. */
    public static BertLayerSource read(WeightSource tensors, int heads, double layerNormEps) {
        return read(tensors, Architecture.BERT, heads, layerNormEps, 0);
    }

    /**
     * The weights of a source, with the config inferred from their shapes and the rest given: what no tensor holds
     * ({@code padTokenId} matters only where the architecture counts positions from it).
     */
    public static BertLayerSource read(
            WeightSource tensors, Architecture architecture, int heads, double layerNormEps, int padTokenId) {
        BertCheckpoint c = new BertCheckpoint(named(tensors, architecture));
        return c.reader(c.inferConfig(architecture, heads, layerNormEps, padTokenId));
    }

    /**
     * The source under BERT's names: DistilBERT's and MPNet's own names are translated; a packed file of either
     * already has BERT's, token types included.
     */
    private static WeightSource named(WeightSource tensors, Architecture architecture) {
        if (!architecture.withoutTokenTypes() || tensors.has("embeddings.token_type_embeddings.weight")) {
            return tensors;
        }
        return architecture == Architecture.DISTILBERT
                ? RenamedEncoder.distilBert(tensors)
                : RenamedEncoder.mpnet(tensors);
    }

    /** Every layer read and the tables copied to the heap: weights that no longer depend on the source. */
    public static BertWeights inMemory(BertLayerSource source) {
        List<BertLayer> layers = new ArrayList<>();
        for (int i = 0; i < source.layerCount(); i++) {
            layers.add(source.layer(i));
        }
        return new BertWeights(source.config(), source.embeddings().onHeap(), layers);
    }

    private BertConfig inferConfig(Architecture architecture, int heads, double eps, int padTokenId) {
        int[] word = tensors.shape(prefix + "embeddings.word_embeddings.weight");
        int[] position = tensors.shape(prefix + "embeddings.position_embeddings.weight");
        int[] type = tensors.shape(prefix + "embeddings.token_type_embeddings.weight");
        if (word.length != 2 || position.length != 2 || type.length != 2) {
            throw SparseInferException.invalidModel(source + ": embedding tables must be 2-D");
        }
        int layers = countLayers();
        int intermediate = layers == 0
                ? 4 * word[1]
                : tensors.linear(prefix + "encoder.layer.0.intermediate.dense").outFeatures();
        try {
            return new BertConfig(
                    architecture,
                    word[0],
                    word[1],
                    layers,
                    heads,
                    intermediate,
                    position[0],
                    type[0],
                    eps,
                    BertConfig.GELU,
                    padTokenId);
        } catch (SparseInferException e) {
            // The config's own checks cannot know which file the values came from.
            throw new SparseInferException(SparseInferException.Code.INVALID_MODEL, source + ": " + e.getMessage(), e);
        }
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

    private BertLayerSource reader(BertConfig config) {
        BertEmbeddings embeddings = embeddings(config);
        return new BertLayerSource() {
            @Override
            public BertConfig config() {
                return config;
            }

            @Override
            public BertEmbeddings embeddings() {
                return embeddings;
            }

            @Override
            public int layerCount() {
                return config.layers();
            }

            @Override
            public BertLayer layer(int index) {
                return BertCheckpoint.this.layer(Objects.checkIndex(index, config.layers()), config);
            }
        };
    }

    private BertEmbeddings embeddings(BertConfig config) {
        int hidden = config.hiddenSize();
        return new BertEmbeddings(
                table("embeddings.word_embeddings.weight", config.vocabSize(), hidden),
                table("embeddings.position_embeddings.weight", config.maxPositions(), hidden),
                table("embeddings.token_type_embeddings.weight", config.typeVocabSize(), hidden),
                norm("embeddings.LayerNorm", hidden),
                config.architecture().relativePositionBias() ? relativePositionBias(config) : null);
    }

    /** MPNet's {@code [buckets, heads]} table of attention biases, which every layer shares. */
    private RelativePositionBias relativePositionBias(BertConfig config) {
        String name = RELATIVE_POSITION_BIAS;
        FloatTensor t = tensor(name);
        if (t.rank() != 2 || t.shape()[1] != config.heads() || t.shape()[0] < RelativePositionBias.BUCKETS) {
            throw SparseInferException.invalidModel(source + ": " + prefix + name + " is "
                    + Arrays.toString(t.shape()) + ", expected [" + RelativePositionBias.BUCKETS
                    + " or more buckets, " + config.heads() + " heads]");
        }
        return new RelativePositionBias(t.data(), t.shape()[0], t.shape()[1]);
    }

    private FloatTable table(String name, int rows, int cols) {
        FloatTable t = tensors.table(prefix + name);
        if (t.rows() != rows || t.cols() != cols) {
            throw SparseInferException.invalidModel(source + ": " + prefix + name + ": expected shape [" + rows + ", "
                    + cols + "], found [" + t.rows() + ", " + t.cols() + "]");
        }
        return t;
    }

    private BertLayer layer(int i, BertConfig config) {
        int hidden = config.hiddenSize();
        String p = "encoder.layer." + i + ".";
        Linear query = linear(p + "attention.self.query", -1, hidden);
        int attentionWidth = query.outFeatures();
        if (attentionWidth % config.headDim() != 0) {
            throw SparseInferException.invalidModel(source + ": " + query.name() + " has " + attentionWidth
                    + " outputs, not a whole number of " + config.headDim() + "-wide heads");
        }
        Linear intermediate = linear(p + "intermediate.dense", -1, hidden);
        return new BertLayer(
                query,
                linear(p + "attention.self.key", attentionWidth, hidden),
                linear(p + "attention.self.value", attentionWidth, hidden),
                linear(p + "attention.output.dense", hidden, attentionWidth),
                norm(p + "attention.output.LayerNorm", hidden),
                intermediate,
                linear(p + "output.dense", hidden, intermediate.outFeatures()),
                norm(p + "output.LayerNorm", hidden));
    }

    private Linear linear(String name, int out, int in) {
        LinearWeights weight = tensors.linear(prefix + name);
        if ((out >= 0 && weight.outFeatures() != out) || weight.inFeatures() != in) {
            throw SparseInferException.invalidModel(source + ": " + prefix + name + " is [" + weight.outFeatures()
                    + ", " + weight.inFeatures() + "], expected [" + (out >= 0 ? out : "?") + ", " + in + "]");
        }
        float[] bias = tensor(name + ".bias").vector(weight.outFeatures());
        return new Linear(name, weight, bias);
    }

    private LayerNormWeights norm(String name, int features) {
        // Old TF-converted checkpoints call the LayerNorm parameters gamma/beta.
        String scale = has(name + ".weight") ? ".weight" : ".gamma";
        String shift = has(name + ".bias") ? ".bias" : ".beta";
        return new LayerNormWeights(
                name,
                tensor(name + scale).vector(features),
                tensor(name + shift).vector(features));
    }

    private boolean has(String name) {
        return tensors.has(prefix + name);
    }

    private FloatTensor tensor(String name) {
        return tensors.tensor(prefix + name);
    }
}
