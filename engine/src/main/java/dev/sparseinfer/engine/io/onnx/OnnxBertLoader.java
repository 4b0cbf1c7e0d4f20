package dev.sparseinfer.engine.io.onnx;

import dev.sparseinfer.engine.api.EmbeddingRecipe;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.format.FloatMatrix;
import dev.sparseinfer.engine.format.FloatTable;
import dev.sparseinfer.engine.format.FloatTensor;
import dev.sparseinfer.engine.format.LinearWeights;
import dev.sparseinfer.engine.io.MappedModel;
import dev.sparseinfer.engine.io.WeightSource;
import dev.sparseinfer.engine.model.bert.Architecture;
import dev.sparseinfer.engine.model.bert.BertCheckpoint;
import dev.sparseinfer.engine.model.bert.BertLayerSource;
import dev.sparseinfer.engine.model.bert.BertWeights;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Loads a BERT encoder exported to ONNX by {@code torch.onnx.export} (the {@code model.onnx} published with
 * all-MiniLM-L6-v2 is one), by naming its initializers as Hugging Face does and handing them to
 * {@link BertCheckpoint}. RoBERTa and XLM-RoBERTa exports are told apart by the position ids they compute in the
 * graph (see {@link GraphPositions}), DistilBERT's by their module names.
 *
 * <p>The exporter keeps state_dict names for tensors used as they are (embedding tables, LayerNorm parameters,
 * most biases) but constant-folds each {@code nn.Linear} weight into an anonymous {@code [in, out]} initializer
 * ({@code onnx::MatMul_787}) read by a MatMul. Those are found through the graph: the MatMul's scope name
 * ({@code /encoder/layer.0/attention/self/query/MatMul}) or the bias added right after it names the module, and
 * the weight is transposed to PyTorch's {@code [out, in]}. The head count and LayerNorm epsilon are not in any
 * tensor, so they are read from the constants the exporter wrote into the graph.
 *
 * <p>Graphs quantised by ONNX Runtime's tools (int8 MatMulInteger, QLinearMatMul or DequantizeLinear weights,
 * uint8 embedding tables) are read through {@link QuantizedGraph}: their weights become {@code Int8Weights}, kept
 * exactly where they are symmetric, and {@link MappedModel#notice()} says so in one line.
 */
public final class OnnxBertLoader {

    private static final String DISTILBERT_QUERY = "attention.q_lin";

    /** ONNX's default for LayerNormalization's {@code epsilon} attribute. */
    private static final double ONNX_LAYER_NORM_EPS = 1e-5;
    /** Hugging Face BertConfig's default {@code layer_norm_eps}. */
    private static final double HF_LAYER_NORM_EPS = 1e-12;

    /**
     * A MatMul or Gemm with a weight initializer, or a quantised product: one {@code nn.Linear} of the exported model.
     *
     * @param weight      the fp32 weight, or null where {@code quantized} holds it
     * @param storedInOut whether the weight is stored {@code [in, out]} (MatMul, or Gemm without transB)
     * @param quantized   the int8 weight of a quantised graph, or null
     * @param bias        the initializer added to its product, or null if there is none
     * @param output      the value holding the layer's result (after the bias)
     */
    private record Projection(
            String module,
            OnnxTensor weight,
            boolean storedInOut,
            QuantizedWeight quantized,
            OnnxTensor bias,
            String output) {

        int outFeatures() {
            return quantized != null ? quantized.outFeatures() : weight.shape()[storedInOut ? 1 : 0];
        }
    }

    private final OnnxModel model;
    private final QuantizedGraph quantizedGraph;

    private OnnxBertLoader(OnnxModel model) {
        this.model = model;
        this.quantizedGraph = new QuantizedGraph(model);
    }

    /**
     * Reads a whole ONNX BERT encoder into memory; the file is unmapped before this returns. Errors are
     * INVALID_MODEL (or IO) and name the file.
     */
    public static BertWeights load(Path onnxFile) {
        try (MappedModel model = open(onnxFile, "")) {
            return BertCheckpoint.inMemory(model.weights());
        }
    }

    /** Maps an ONNX BERT encoder; its layers are read from the mapping as a model is built (see {@link MappedModel}). */
    public static MappedModel open(Path onnxFile, String tokenizerJson) {
        OnnxModel model = OnnxModel.open(onnxFile);
        try {
            OnnxBertLoader loader = new OnnxBertLoader(model);
            List<Projection> projections = loader.projections();
            Map<String, QuantizedWeight> tables = loader.quantizedGraph.tables();
            loader.quantizedGraph.refuseTheRest();
            WeightSource tensors = loader.tensors(projections, tables, onnxFile.toString());
            OptionalInt padding = GraphPositions.paddingIndex(model);
            BertLayerSource weights = BertCheckpoint.read(
                    tensors,
                    architecture(projections, padding),
                    loader.heads(projections),
                    loader.layerNormEps(),
                    padding.orElse(0));
            return new MappedModel(
                    weights,
                    tokenizerJson,
                    onnxFile.toString(),
                    Map.of(),
                    EmbeddingRecipe.MEAN_NORMALIZED,
                    List.of(model),
                    QuantizationNotice.of(
                            projections.stream()
                                    .map(Projection::quantized)
                                    .filter(Objects::nonNull)
                                    .toList(),
                            tables.values()));
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * DistilBERT where its layers are named so ({@code transformer.layer.N.attention.q_lin}); RoBERTa where positions
     * count from a padding index (XLM-RoBERTa's graph is the same, so it is read as RoBERTa); BERT otherwise.
     */
    private static Architecture architecture(List<Projection> projections, OptionalInt padding) {
        if (projections.stream().anyMatch(p -> p.module().contains(DISTILBERT_QUERY))) {
            return Architecture.DISTILBERT;
        }
        return padding.isPresent() ? Architecture.ROBERTA : Architecture.BERT;
    }

    private List<Projection> projections() {
        List<Projection> found = new ArrayList<>();
        for (OnnxNode node : model.nodes()) {
            if (node.opType().equals("MatMul") || node.opType().equals("Gemm")) {
                projection(node).ifPresent(found::add);
            } else {
                quantizedGraph
                        .integerProduct(node)
                        .flatMap(p -> biased(node, p.weight().values().name(), null, true, p.weight(), p.output()))
                        .ifPresent(found::add);
            }
        }
        return found;
    }

    /** The Linear a MatMul or Gemm computes; empty if it multiplies two computed values or cannot be named. */
    private Optional<Projection> projection(OnnxNode node) {
        String weightName = node.input(1);
        boolean gemm = node.opType().equals("Gemm");
        boolean storedInOut =
                !(gemm && node.attribute("transB").map(a -> a.i() != 0).orElse(false));
        OnnxTensor weight = model.initializer(weightName).orElse(null);
        QuantizedWeight quantized = null;
        if (weight == null) {
            quantized = quantizedGraph.dequantizedWeight(node, storedInOut).orElse(null);
            if (quantized == null && !model.provides(weightName)) {
                throw model.error(node.opType() + " '" + node.name() + "' reads '" + weightName
                        + "', which no initializer, node or graph input provides");
            }
            if (quantized == null) {
                return Optional.empty(); // attention scores and context: both operands are computed
            }
        } else if (weight.shape().length != 2) {
            throw model.error("initializer '" + weightName + "', the weight of " + node.opType() + " '" + node.name()
                    + "', is not 2-D: shape " + Arrays.toString(weight.shape()));
        }
        String storedName = quantized != null ? quantized.values().name() : weightName;
        if (gemm) {
            OnnxTensor bias = model.initializer(node.input(2)).orElse(null);
            QuantizedWeight q = quantized;
            return moduleName(node, storedName, bias)
                    .map(m -> new Projection(m, weight, storedInOut, q, bias, node.output(0)));
        }
        return biased(node, storedName, weight, storedInOut, quantized, node.output(0));
    }

    /**
     * The Linear whose product is {@code product}: a MatMul's bias, if it has one, is an initializer added by the
     * one Add that reads its product.
     */
    private Optional<Projection> biased(
            OnnxNode node,
            String weightName,
            OnnxTensor weight,
            boolean storedInOut,
            QuantizedWeight quantized,
            String product) {
        List<OnnxNode> readers = model.consumers(product);
        OnnxNode add = readers.size() == 1 && readers.get(0).opType().equals("Add") ? readers.get(0) : null;
        OnnxTensor bias = add == null
                ? null
                : model.initializer(add.input(0))
                        .or(() -> model.initializer(add.input(1)))
                        .orElse(null);
        String output = bias == null ? product : add.output(0);
        return moduleName(node, weightName, bias)
                .map(m -> new Projection(m, weight, storedInOut, quantized, bias, output));
    }

    /**
     * The Linear's module path: from a state_dict-named weight or bias where there is one, else from the scope
     * the exporter put in the node name ({@code /encoder/layer.0/attention/self/query/MatMul} becomes
     * {@code encoder.layer.0.attention.self.query}). Empty for an unnamed node in an unnamed scope.
     */
    private static Optional<String> moduleName(OnnxNode node, String weightName, OnnxTensor bias) {
        if (weightName.endsWith(".weight")) {
            return Optional.of(weightName.substring(0, weightName.length() - ".weight".length()));
        }
        if (bias != null && bias.name().endsWith(".bias")) {
            return Optional.of(bias.name().substring(0, bias.name().length() - ".bias".length()));
        }
        int scopeEnd = node.name().lastIndexOf('/');
        if (node.name().startsWith("/") && scopeEnd > 1) {
            return Optional.of(node.name().substring(1, scopeEnd).replace('/', '.'));
        }
        return Optional.empty();
    }

    /** Which initializer holds each Hugging Face tensor, and whether it is stored transposed or quantised. */
    private WeightSource tensors(List<Projection> projections, Map<String, QuantizedWeight> tables, String source) {
        Map<String, Initializer> named = new LinkedHashMap<>();
        Map<String, QuantizedWeight> quantized = new LinkedHashMap<>();
        Set<String> claimed = new HashSet<>();
        for (Projection p : projections) {
            if (p.quantized() != null) {
                quantized.put(p.module() + ".weight", p.quantized());
                claim(p.quantized(), claimed);
            } else {
                named.put(p.module() + ".weight", new Initializer(p.weight(), p.storedInOut()));
                claimed.add(p.weight().name());
            }
            if (p.bias() != null) {
                named.put(p.module() + ".bias", new Initializer(p.bias(), false));
                claimed.add(p.bias().name());
            }
        }
        tables.forEach((name, table) -> {
            quantized.put(name, table);
            claim(table, claimed);
        });
        // Every other float initializer (embedding tables, LayerNorm parameters) already has its state_dict name.
        for (OnnxTensor t : model.initializers().values()) {
            if (t.isFloatingPoint()
                    && !claimed.contains(t.name())
                    && !named.containsKey(t.name())
                    && !quantized.containsKey(t.name())) {
                named.put(t.name(), new Initializer(t, false));
            }
        }
        return new InitializerSource(named, quantized, source);
    }

    private static void claim(QuantizedWeight q, Set<String> claimed) {
        claimed.add(q.values().name());
        claimed.add(q.scale().name());
        if (q.zeroPoint() != null) {
            claimed.add(q.zeroPoint().name());
        }
    }

    /** An initializer under its Hugging Face name; a transposed one is stored {@code [in, out]}. */
    private record Initializer(OnnxTensor stored, boolean transposed) {}

    /**
     * The initializers as named tensors, each converted when it is asked for: one layer at a time. Quantised
     * linear weights are handed over as int8; asked for as tensors, they and quantised tables are dequantised.
     */
    private record InitializerSource(
            Map<String, Initializer> named, Map<String, QuantizedWeight> quantized, String source)
            implements WeightSource {

        @Override
        public Set<String> names() {
            Set<String> names = new LinkedHashSet<>(named.keySet());
            names.addAll(quantized.keySet());
            return names;
        }

        @Override
        public LinearWeights linear(String prefix) {
            QuantizedWeight q = quantized.get(prefix + ".weight");
            return q != null ? q.toInt8Weights() : WeightSource.super.linear(prefix);
        }

        @Override
        public FloatTensor tensor(String name) {
            QuantizedWeight q = quantized.get(name);
            if (q != null) {
                return new FloatTensor(name, new int[] {q.outFeatures(), q.inFeatures()}, q.dequantized());
            }
            Initializer i = initializer(name);
            if (!i.transposed()) {
                return i.stored().toFloatTensor(name);
            }
            // BertCheckpoint expects [out, in]. Transposed straight from the mapping where the values are raw fp32,
            // so a layer's weight is copied once, not read into an array and then transposed into another.
            int[] shape = i.stored().shape();
            Optional<MemorySegment> mapped = i.stored().mappedFloats();
            float[] outByIn = mapped.isPresent()
                    ? transposed(mapped.get(), shape[0], shape[1])
                    : new FloatMatrix(shape[0], shape[1], i.stored().toFloats())
                            .transpose()
                            .data();
            return new FloatTensor(name, new int[] {shape[1], shape[0]}, outByIn);
        }

        private static float[] transposed(MemorySegment inByOut, int rows, int cols) {
            float[] t = new float[Math.multiplyExact(rows, cols)];
            for (int r = 0; r < rows; r++) {
                long row = 4L * r * cols;
                for (int c = 0; c < cols; c++) {
                    t[c * rows + r] = inByOut.get(FloatTable.F32_LE, row + 4L * c);
                }
            }
            return t;
        }

        @Override
        public int[] shape(String name) {
            QuantizedWeight q = quantized.get(name);
            if (q != null) {
                return new int[] {q.outFeatures(), q.inFeatures()};
            }
            Initializer i = initializer(name);
            int[] shape = i.stored().shape();
            return i.transposed() ? new int[] {shape[1], shape[0]} : shape;
        }

        @Override
        public FloatTable table(String name) {
            if (quantized.containsKey(name)) {
                return WeightSource.super.table(name);
            }
            Initializer i = initializer(name);
            int[] shape = i.stored().shape();
            if (!i.transposed() && shape.length == 2) {
                Optional<MemorySegment> mapped = i.stored().mappedFloats();
                if (mapped.isPresent()) {
                    return new FloatTable(shape[0], shape[1], mapped.get());
                }
            }
            return WeightSource.super.table(name);
        }

        private Initializer initializer(String name) {
            Initializer i = named.get(name);
            if (i == null) {
                throw SparseInferException.invalidModel(source + ": missing tensor '" + name + "'");
            }
            return i;
        }
    }

    /**
     * The head count, from the Reshape that splits the first query projection's output into
     * {@code [batch, sequence, heads, head size]}.
     */
    private int heads(List<Projection> projections) {
        Projection query = projections.stream()
                .filter(p -> p.module().endsWith("attention.self.query")
                        || p.module().endsWith(DISTILBERT_QUERY))
                .findFirst()
                .orElseThrow(() -> model.error("cannot find the number of attention heads: "
                        + "no attention.self.query projection in the graph"));
        long width = query.outFeatures();
        for (OnnxNode reshape : model.consumers(query.output())) {
            if (!reshape.opType().equals("Reshape")) {
                continue;
            }
            Optional<long[]> split = headSplit(reshape.input(1));
            if (split.isPresent()) {
                long heads = split.get()[0];
                long size = split.get()[1];
                if (heads <= 0 || size <= 0 || heads > width || size > width || heads * size != width) {
                    throw model.error("Reshape '" + reshape.name() + "' splits the " + width + " outputs of "
                            + query.module() + " into " + heads + " heads of " + size);
                }
                return (int) heads;
            }
        }
        throw model.error("cannot find the number of attention heads: no Reshape of " + query.module()
                + "'s output to [batch, sequence, heads, head size] with constant heads and head size");
    }

    /**
     * {@code [heads, head size]}, the last two entries of a Reshape target: either a 4-value constant, or a Concat
     * of four parts whose last two are constants, which is how torch.onnx exports
     * {@code x.view(x.size()[:-1] + (heads, size))}.
     */
    private Optional<long[]> headSplit(String shape) {
        Optional<OnnxTensor> fixed = model.constant(shape);
        if (fixed.isPresent()) {
            long[] target = fixed.get().toLongs();
            return target.length == 4 ? Optional.of(new long[] {target[2], target[3]}) : Optional.empty();
        }
        Optional<OnnxNode> concat = model.producer(shape)
                .filter(n -> n.opType().equals("Concat") && n.inputs().size() == 4);
        if (concat.isEmpty()) {
            return Optional.empty();
        }
        OptionalLong heads = scalar(concat.get().input(2));
        OptionalLong size = scalar(concat.get().input(3));
        return heads.isPresent() && size.isPresent()
                ? Optional.of(new long[] {heads.getAsLong(), size.getAsLong()})
                : Optional.empty();
    }

    private OptionalLong scalar(String value) {
        Optional<OnnxTensor> c = model.constant(value).filter(t -> t.elementCount() == 1);
        return c.isPresent() ? OptionalLong.of(c.get().toLongs()[0]) : OptionalLong.empty();
    }

    /** The epsilon of the first LayerNorm in the graph (the embeddings'); BERT uses one value throughout. */
    private double layerNormEps() {
        for (OnnxNode node : model.nodes()) {
            if (node.opType().equals("LayerNormalization")) {
                return node.attribute("epsilon").map(a -> decimal(a.f())).orElse(ONNX_LAYER_NORM_EPS);
            }
            if (node.opType().equals("Sqrt")) {
                OptionalDouble eps = varianceEpsilon(node);
                if (eps.isPresent()) {
                    return eps.getAsDouble();
                }
            }
        }
        // Neither a LayerNormalization node nor the decomposed form (e.g. a graph an optimizer fused into its own
        // ops): nothing in the file says, so take Hugging Face's default, which every BERT checkpoint we know uses.
        return HF_LAYER_NORM_EPS;
    }

    /** The eps in {@code Sqrt(ReduceMean(...) + eps)}, how torch.onnx writes LayerNorm before opset 17. */
    private OptionalDouble varianceEpsilon(OnnxNode sqrt) {
        Optional<OnnxNode> add = model.producer(sqrt.input(0))
                .filter(n -> n.opType().equals("Add") && n.inputs().size() == 2);
        if (add.isEmpty()) {
            return OptionalDouble.empty();
        }
        for (int i = 0; i < 2; i++) {
            boolean addsToMean = model.producer(add.get().input(1 - i))
                    .filter(n -> n.opType().equals("ReduceMean"))
                    .isPresent();
            Optional<OnnxTensor> eps =
                    model.constant(add.get().input(i)).filter(t -> t.isFloatingPoint() && t.elementCount() == 1);
            if (addsToMean && eps.isPresent()) {
                return OptionalDouble.of(decimal(eps.get().toFloats()[0]));
            }
        }
        return OptionalDouble.empty();
    }

    /**
     * The file holds eps as fp32, where 1e-12 reads back as 9.99999996e-13; the shortest decimal of the float
     * is the value the model's config was written with.
     */
    private static double decimal(float f) {
        return Double.parseDouble(Float.toString(f));
    }
}
