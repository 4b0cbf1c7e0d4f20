package dev.sparseinfer.engine.io.onnx;

import dev.sparseinfer.engine.format.FloatTensor;
import dev.sparseinfer.engine.model.bert.Architecture;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.testing.TinyEncoder;
import java.util.List;
import java.util.Map;

/**
 * Writes a BERT encoder as an ONNX file laid out the way torch.onnx.export (PyTorch 2.0, opset 11) writes
 * all-MiniLM-L6-v2: embedding tables, biases and LayerNorm parameters under their state_dict names; each Linear
 * weight an anonymous {@code [in, out]} initializer read by a MatMul in the module's scope; the head count and
 * head size Constants feeding the Concat that shapes each query/key/value Reshape; LayerNorm decomposed, with eps
 * a Constant added to the variance. {@link Style} varies the parts other exporters write differently. The RoBERTa
 * style also runs in ONNX Runtime (one text at a time: attention ignores the mask); the BERT style does not, as it
 * looks up the whole {@code position_ids} buffer instead of slicing it to the sequence.
 */
public final class SyntheticBertOnnx {

    /** Where the Reshape that splits query/key/value into heads gets its target shape. */
    public enum HeadCount {
        CONCAT_OF_CONSTANTS,
        INITIALIZER_SHAPE,
        COMPUTED_SHAPE
    }

    /** How ONNX Runtime's quantisation tools rewrote the Linears and embedding tables, if they did. */
    public enum Quantization {
        NONE,
        /** DynamicQuantizeLinear → MatMulInteger (int8, per channel, zero point 0) → Cast → Mul; uint8 tables. */
        DYNAMIC,
        /** As DYNAMIC, with uint8 weights, one scale and zero point 100 per weight: not symmetric int8. */
        DYNAMIC_UINT8_OFFSET,
        /** QuantizeLinear → QLinearMatMul (int8, per channel) → DequantizeLinear. */
        QLINEAR,
        /** DequantizeLinear (int8, one scale) → MatMul; DequantizeLinear of each table → Gather. */
        QDQ,
        /** As DYNAMIC, with one zero point too many in the first query weight's. */
        DYNAMIC_WRONG_ZERO_POINT_SHAPE,
        /** As QDQ, with the first query weight's DequantizeLinear missing its scale. */
        QDQ_MISSING_SCALE
    }

    public record Style(
            HeadCount headCount,
            boolean anonymousBiases,
            boolean fusedLayerNorm,
            boolean missingQueryWeight,
            Quantization quantization,
            Architecture architecture) {

        public static final Style TORCH_2_0 =
                new Style(HeadCount.CONCAT_OF_CONSTANTS, false, false, false, Quantization.NONE, Architecture.BERT);

        /**
         * RoBERTa's export computes position ids in the graph and has no token_type_ids input; DistilBERT's names its
         * modules its own way and has no token types.
         */
        public Style withArchitecture(Architecture a) {
            return new Style(headCount, anonymousBiases, fusedLayerNorm, missingQueryWeight, quantization, a);
        }

        Style withHeadCount(HeadCount h) {
            return new Style(h, anonymousBiases, fusedLayerNorm, missingQueryWeight, quantization, architecture);
        }

        Style withAnonymousBiases() {
            return new Style(headCount, true, fusedLayerNorm, missingQueryWeight, quantization, architecture);
        }

        Style withFusedLayerNorm() {
            return new Style(headCount, anonymousBiases, true, missingQueryWeight, quantization, architecture);
        }

        Style withMissingQueryWeight() {
            return new Style(headCount, anonymousBiases, fusedLayerNorm, true, quantization, architecture);
        }

        Style withQuantization(Quantization q) {
            return new Style(headCount, anonymousBiases, fusedLayerNorm, missingQueryWeight, q, architecture);
        }
    }

    /**
     * A weight or table as the quantised file stores it: {@code q} row-major in the stored layout, and
     * {@code (q - zeroPoint) * scale} per {@code channels} entries along the last axis (one scale where 1).
     */
    record Quantized(byte[] q, float[] scales, byte[] zeroPoints, boolean unsigned) {

        float dequantize(int index, int cols) {
            int ch = scales.length == 1 ? 0 : index % cols;
            int zero = unsigned ? zeroPoints[ch] & 0xff : zeroPoints[ch];
            int v = unsigned ? q[index] & 0xff : q[index];
            return (v - zero) * scales[ch];
        }
    }

    // onnx.proto field numbers and enum values used below.
    private static final int FLOAT = 1;
    private static final int UINT8 = 2;
    private static final int INT8 = 3;
    private static final int INT32 = 6;
    private static final int INT64 = 7;
    private static final int ATTR_FLOAT = 1;
    private static final int ATTR_INT = 2;
    private static final int ATTR_TENSOR = 4;
    private static final int ATTR_INTS = 7;

    private final Map<String, FloatTensor> tensors;
    private final BertConfig config;
    private final Style style;
    private final ProtoWriter nodes = new ProtoWriter();
    private final ProtoWriter initializers = new ProtoWriter();
    private int anonymous = 787;

    private SyntheticBertOnnx(Map<String, FloatTensor> tensors, BertConfig config, Style style) {
        this.tensors = tensors;
        this.config = config;
        this.style = style;
    }

    /** The serialized ModelProto of {@code tensors} (Hugging Face names, weights {@code [out, in]}). */
    public static byte[] write(Map<String, FloatTensor> tensors, BertConfig config, Style style) {
        return new SyntheticBertOnnx(tensors, config, style).model();
    }

    private byte[] model() {
        String x = embeddings();
        for (int i = 0; i < config.layers(); i++) {
            x = layer(i, x);
        }
        ProtoWriter graph = new ProtoWriter()
                .raw(nodes.toByteArray())
                .string(2, "main_graph")
                .raw(initializers.toByteArray())
                .message(11, valueInfo("input_ids", INT64, "batch", "sequence"))
                .message(11, valueInfo("attention_mask", INT64, "batch", "sequence"));
        if (style.architecture() == Architecture.BERT) {
            graph.message(11, valueInfo("token_type_ids", INT64, "batch", "sequence"));
        }
        graph.message(12, valueInfo(x, FLOAT, "batch", "sequence", Integer.toString(config.hiddenSize())));
        return new ProtoWriter()
                .varint(1, 8)
                .string(2, "pytorch")
                .string(3, "2.0.1")
                .message(7, graph)
                .message(8, new ProtoWriter().varint(2, 11))
                .toByteArray();
    }

    private String embeddings() {
        Architecture architecture = style.architecture();
        for (String table : List.of("word_embeddings", "position_embeddings", "token_type_embeddings")) {
            boolean hasTable = architecture != Architecture.DISTILBERT || !table.equals("token_type_embeddings");
            if (style.quantization() == Quantization.NONE && hasTable) {
                stateDict("embeddings." + table + ".weight");
            }
        }
        String words = gather("word_embeddings", "input_ids");
        String sum = switch (architecture) {
            case BERT ->
                node("Add", "/embeddings/Add", List.of(words, gather("token_type_embeddings", "token_type_ids")));
            case ROBERTA, XLM_ROBERTA -> {
                String zeros = node(
                        "Mul",
                        "/embeddings/Mul_zeros",
                        List.of("input_ids", constant("/embeddings/Constant_0", int64Scalar(0))));
                yield node("Add", "/embeddings/Add", List.of(words, gather("token_type_embeddings", zeros)));
            }
            case DISTILBERT -> words;
            case MPNET -> throw new IllegalArgumentException("no ONNX export of MPNet is modelled");
        };
        String positionIds = architecture.positionsAfterPadding() ? robertaPositionIds() : positionIdsBuffer();
        String positionRows = gather("position_embeddings", positionIds);
        String all = node("Add", "/embeddings/Add_1", List.of(sum, positionRows));
        return layerNorm("/embeddings/LayerNorm", all, "embeddings.LayerNorm");
    }

    /** BertEmbeddings' {@code position_ids} buffer, which the exporter writes as an initializer. */
    private String positionIdsBuffer() {
        long[] positions = new long[config.maxPositions()];
        for (int i = 0; i < positions.length; i++) {
            positions[i] = i;
        }
        initializer(tensor(INT64, new int[] {1, positions.length}, ProtoWriter.longBytes(positions))
                .string(8, "embeddings.position_ids"));
        return "embeddings.position_ids";
    }

    /** {@code create_position_ids_from_input_ids} as torch.onnx writes it. */
    private String robertaPositionIds() {
        String s = "/embeddings";
        String pad = constant(s + "/Constant_pad", int64Scalar(config.padTokenId()));
        String equal = node("Equal", s + "/Equal", List.of("input_ids", pad));
        String mask = node("Cast", s + "/Cast", List.of(node("Not", s + "/Not", List.of(equal))), castTo(INT32));
        String cumsum = node("CumSum", s + "/CumSum", List.of(mask, constant(s + "/Constant_axis", int64Scalar(1))));
        String typed = node("Cast", s + "/Cast_1", List.of(cumsum), castTo(INT32));
        String past = node(
                "Add",
                s + "/Add_past",
                List.of(typed, constant(s + "/Constant_past", tensor(INT32, new int[0], new byte[4]))));
        String incremental = node("Mul", s + "/Mul", List.of(past, mask));
        String asLong = node("Cast", s + "/Cast_2", List.of(incremental), castTo(INT64));
        String padAgain = constant(s + "/Constant_pad_1", int64Scalar(config.padTokenId()));
        return node("Add", s + "/Add_2", List.of(asLong, padAgain));
    }

    private static ProtoWriter castTo(int type) {
        return attribute("to", ATTR_INT).varint(3, type);
    }

    /** The rows of a table: fp32, or uint8 (zero point 128) dequantised after or before the Gather. */
    private String gather(String table, String ids) {
        String name = "embeddings." + table + ".weight";
        String scope = "/embeddings/" + table;
        if (style.quantization() == Quantization.NONE) {
            return node("Gather", scope + "/Gather", List.of(name, ids));
        }
        FloatTensor t = tensors.get(name);
        Quantized q = quantizeTable(t.data());
        initializer(tensor(UINT8, t.shape(), q.q()).string(8, name + "_quantized"));
        initializer(
                tensor(FLOAT, new int[0], ProtoWriter.floatBytes(q.scales())).string(8, name + "_scale"));
        initializer(tensor(UINT8, new int[0], q.zeroPoints()).string(8, name + "_zero_point"));
        List<String> params = List.of(name + "_scale", name + "_zero_point");
        if (style.quantization() == Quantization.QDQ || style.quantization() == Quantization.QDQ_MISSING_SCALE) {
            String table32 = node("DequantizeLinear", scope + "/DequantizeLinear", concat(name + "_quantized", params));
            return node("Gather", scope + "/Gather", List.of(table32, ids));
        }
        String rows = node("Gather", scope + "/Gather", List.of(name + "_quantized", ids));
        return node("DequantizeLinear", scope + "/Gather_DequantizeLinear", concat(rows, params));
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new java.util.ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }

    /** uint8, zero point 128, one scale: how ONNX Runtime stores a quantised embedding table. */
    static Quantized quantizeTable(float[] t) {
        float max = 0;
        for (float v : t) {
            max = Math.max(max, Math.abs(v));
        }
        float scale = max == 0 ? 1 : max / 127;
        byte[] q = new byte[t.length];
        for (int i = 0; i < t.length; i++) {
            q[i] = (byte) (Math.round(t[i] / scale) + 128);
        }
        return new Quantized(q, new float[] {scale}, new byte[] {(byte) 128}, true);
    }

    /** A Linear weight {@code [out, in]} quantised as {@code quantization} stores it, {@code [in, out]}. */
    static Quantized quantizeWeight(float[] outByIn, int out, int in, Quantization quantization) {
        boolean offset = quantization == Quantization.DYNAMIC_UINT8_OFFSET;
        boolean perTensor =
                offset || quantization == Quantization.QDQ || quantization == Quantization.QDQ_MISSING_SCALE;
        float[] max = new float[perTensor ? 1 : out];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                int ch = perTensor ? 0 : o;
                max[ch] = Math.max(max[ch], Math.abs(outByIn[o * in + i]));
            }
        }
        // The offset form spends 155 levels on each side, so its largest positive values leave [-127, 127].
        float[] scales = new float[max.length];
        for (int c = 0; c < max.length; c++) {
            scales[c] = max[c] == 0 ? 1 : max[c] / (offset ? 155 : 127);
        }
        byte[] q = new byte[out * in];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                int level = Math.round(outByIn[o * in + i] / scales[perTensor ? 0 : o]);
                q[i * out + o] = (byte) (offset ? Math.clamp(level + 100, 0, 255) : Math.clamp(level, -127, 127));
            }
        }
        byte[] zeros = new byte[scales.length];
        if (offset) {
            zeros[0] = 100;
        }
        return new Quantized(q, scales, zeros, offset);
    }

    private String layer(int index, String x) {
        String scope = "/encoder/layer." + index;
        String p = "encoder.layer." + index + ".";
        String self = scope + "/attention/self";
        String q = linear(scope(self + "/query", p + "attention.self.query"), x, p + "attention.self.query");
        String k = linear(scope(self + "/key", p + "attention.self.key"), x, p + "attention.self.key");
        String v = linear(scope(self + "/value", p + "attention.self.value"), x, p + "attention.self.value");
        String keys = splitHeads(self, k, 0);
        String values = splitHeads(self, v, 1);
        String queries = splitHeads(self, q, 2);
        String keysT = node("Transpose", self + "/Transpose_kt", List.of(keys), ints("perm", 0, 1, 3, 2));
        String scores = node("MatMul", self + "/MatMul", List.of(queries, keysT));
        String scale = constant(self + "/Constant_12", floatScalar((float) Math.sqrt(config.headDim())));
        String probs = node(
                "Softmax", self + "/Softmax", List.of(node("Div", self + "/Div", List.of(scores, scale))), axis(-1));
        String context = node("MatMul", self + "/MatMul_1", List.of(probs, values));
        String merged = node(
                "Reshape",
                self + "/Reshape_3",
                List.of(
                        node("Transpose", self + "/Transpose_3", List.of(context), ints("perm", 0, 2, 1, 3)),
                        constant(self + "/Constant_15", int64s(0, 0, config.hiddenSize()))));
        String attention = linear(
                scope(scope + "/attention/output/dense", p + "attention.output.dense"),
                merged,
                p + "attention.output.dense");
        String residual = node("Add", scope + "/attention/output/Add", List.of(attention, x));
        String a = layerNorm(scope + "/attention/output/LayerNorm", residual, p + "attention.output.LayerNorm");
        String up = linear(scope(scope + "/intermediate/dense", p + "intermediate.dense"), a, p + "intermediate.dense");
        String down = linear(
                scope(scope + "/output/dense", p + "output.dense"),
                gelu(scope + "/intermediate/intermediate_act_fn", up),
                p + "output.dense");
        String out = node("Add", scope + "/output/Add", List.of(down, a));
        return layerNorm(scope + "/output/LayerNorm", out, p + "output.LayerNorm");
    }

    /** A module's scope: BERT's as given, DistilBERT's from its own module path. */
    private String scope(String bertScope, String module) {
        if (style.architecture() != Architecture.DISTILBERT) {
            return bertScope;
        }
        String name = TinyEncoder.distilBertName(module + ".weight");
        return "/" + name.substring(0, name.length() - ".weight".length()).replace('.', '/');
    }

    /** x·W + b with W an anonymous {@code [in, out]} initializer, as torch.onnx folds {@code nn.Linear}. */
    private String linear(String scope, String input, String module) {
        FloatTensor w = tensors.get(module + ".weight");
        int out = w.shape()[0];
        int in = w.shape()[1];
        float[] inByOut = new float[out * in];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                inByOut[i * out + o] = w.data()[o * in + i];
            }
        }
        String weight = "onnx::MatMul_" + anonymous++;
        if (style.quantization() != Quantization.NONE) {
            String bias = stateDict(module + ".bias");
            String product = quantizedProduct(
                    scope,
                    input,
                    weight,
                    quantizeWeight(w.data(), out, in, style.quantization()),
                    in,
                    out,
                    module.equals("encoder.layer.0.attention.self.query"));
            return node("Add", scope + "/Add", List.of(bias, product));
        }
        if (!(style.missingQueryWeight() && module.equals("encoder.layer.0.attention.self.query"))) {
            initializer(tensor(FLOAT, new int[] {in, out}, ProtoWriter.floatBytes(inByOut))
                    .string(8, weight));
        }
        String bias = module + ".bias";
        if (style.anonymousBiases()) {
            String anonymousBias = "onnx::Add_" + anonymous++;
            initializer(tensor(
                            FLOAT,
                            new int[] {out},
                            ProtoWriter.floatBytes(tensors.get(bias).data()))
                    .string(8, anonymousBias));
            bias = anonymousBias;
        } else {
            bias = stateDict(bias);
        }
        String product = node("MatMul", scope + "/MatMul", List.of(input, weight));
        return node("Add", scope + "/Add", List.of(bias, product));
    }

    /** x·W in the form {@link Style#quantization()} names; {@code first} is the one a malformed style spoils. */
    private String quantizedProduct(
            String scope, String input, String weight, Quantized q, int in, int out, boolean first) {
        Quantization form = style.quantization();
        int type = q.unsigned() ? UINT8 : INT8;
        int[] channels = q.scales().length == 1 ? new int[0] : new int[] {out};
        initializer(tensor(type, new int[] {in, out}, q.q()).string(8, weight + "_quantized"));
        initializer(tensor(FLOAT, channels, ProtoWriter.floatBytes(q.scales())).string(8, weight + "_scale"));
        byte[] zeros = q.zeroPoints();
        int[] zeroShape = channels;
        if (first && form == Quantization.DYNAMIC_WRONG_ZERO_POINT_SHAPE) {
            zeros = java.util.Arrays.copyOf(zeros, zeros.length + 1);
            zeroShape = new int[] {zeros.length};
        }
        initializer(tensor(type, zeroShape, zeros).string(8, weight + "_zero_point"));
        String quantized = weight + "_quantized";
        String scale = weight + "_scale";
        String zero = weight + "_zero_point";
        return switch (form) {
            case DYNAMIC, DYNAMIC_UINT8_OFFSET, DYNAMIC_WRONG_ZERO_POINT_SHAPE -> {
                String xq = scope + "/x_quantized";
                multiNode(
                        "DynamicQuantizeLinear",
                        scope + "/x_QuantizeLinear",
                        List.of(input),
                        List.of(xq, scope + "/x_scale", scope + "/x_zero_point"));
                String scales = node("Mul", scope + "/MatMul_quant_scales_mul", List.of(scope + "/x_scale", scale));
                String integer = node(
                        "MatMulInteger",
                        scope + "/MatMul_quant",
                        List.of(xq, quantized, scope + "/x_zero_point", zero));
                String cast = node(
                        "Cast",
                        scope + "/MatMul_quant_cast",
                        List.of(integer),
                        attribute("to", ATTR_INT).varint(3, FLOAT));
                yield node("Mul", scope + "/MatMul_quant_output_scale_mul", List.of(cast, scales));
            }
            case QLINEAR -> {
                String xs = constant(scope + "/x_scale", floatScalar(0.05f));
                String xz = constant(scope + "/x_zero_point", tensor(UINT8, new int[0], new byte[] {(byte) 128}));
                String xq = node("QuantizeLinear", scope + "/x_QuantizeLinear", List.of(input, xs, xz));
                String y = node(
                        "QLinearMatMul", scope + "/MatMul_quant", List.of(xq, xs, xz, quantized, scale, zero, xs, xz));
                yield node("DequantizeLinear", scope + "/MatMul_DequantizeLinear", List.of(y, xs, xz));
            }
            case QDQ, QDQ_MISSING_SCALE -> {
                String dqScale = first && form == Quantization.QDQ_MISSING_SCALE ? "" : scale;
                String w =
                        node("DequantizeLinear", scope + "/weight_DequantizeLinear", List.of(quantized, dqScale, zero));
                yield node("MatMul", scope + "/MatMul", List.of(input, w));
            }
            case NONE -> throw new IllegalStateException("not quantised");
        };
    }

    /** view(batch, sequence, heads, headDim) then permute(0, 2, 1, 3), as BertSelfAttention does. */
    private String splitHeads(String self, String value, int i) {
        String shape = switch (style.headCount()) {
            case CONCAT_OF_CONSTANTS ->
                node(
                        "Concat",
                        self + "/Concat_" + i,
                        List.of(
                                sizeOf(self, value, i, 0),
                                sizeOf(self, value, i, 1),
                                constant(self + "/Constant_heads_" + i, int64s(config.heads())),
                                constant(self + "/Constant_size_" + i, int64s(config.headDim()))),
                        axis(0));
            case INITIALIZER_SHAPE -> {
                String name = "onnx::Reshape_" + anonymous++;
                initializer(tensor(INT64, new int[] {4}, ProtoWriter.longBytes(0, 0, config.heads(), config.headDim()))
                        .string(8, name));
                yield name;
            }
            case COMPUTED_SHAPE -> node("Shape", self + "/Shape_of_mask_" + i, List.of("attention_mask"));
        };
        String split = node("Reshape", self + "/Reshape_" + i, List.of(value, shape));
        return node("Transpose", self + "/Transpose_" + i, List.of(split), ints("perm", 0, 2, 1, 3));
    }

    /** unsqueeze(shape(value)[dim]), one computed part of a Reshape target. */
    private String sizeOf(String self, String value, int i, int dim) {
        String suffix = i + "_" + dim;
        String shape = node("Shape", self + "/Shape_" + suffix, List.of(value));
        String index = constant(self + "/Constant_index_" + suffix, int64Scalar(dim));
        String size = node("Gather", self + "/Gather_" + suffix, List.of(shape, index), axis(0));
        return node("Unsqueeze", self + "/Unsqueeze_" + suffix, List.of(size), ints("axes", 0));
    }

    private String layerNorm(String scope, String input, String params) {
        float eps = (float) config.layerNormEps();
        if (style.fusedLayerNorm()) {
            return node(
                    "LayerNormalization",
                    scope + "/LayerNormalization",
                    List.of(input, stateDict(params + ".weight"), stateDict(params + ".bias")),
                    attribute("epsilon", ATTR_FLOAT).float32(2, eps),
                    attribute("axis", ATTR_INT).varint(3, -1));
        }
        String mean = node("ReduceMean", scope + "/ReduceMean", List.of(input), ints("axes", -1));
        String centered = node("Sub", scope + "/Sub", List.of(input, mean));
        String squared = node("Pow", scope + "/Pow", List.of(centered, constant(scope + "/Constant", floatScalar(2))));
        String variance = node("ReduceMean", scope + "/ReduceMean_1", List.of(squared), ints("axes", -1));
        String shifted =
                node("Add", scope + "/Add", List.of(variance, constant(scope + "/Constant_1", floatScalar(eps))));
        String normalized =
                node("Div", scope + "/Div", List.of(centered, node("Sqrt", scope + "/Sqrt", List.of(shifted))));
        String scaled = node("Mul", scope + "/Mul", List.of(normalized, stateDict(params + ".weight")));
        return node("Add", scope + "/Add_1", List.of(scaled, stateDict(params + ".bias")));
    }

    private String gelu(String scope, String x) {
        String erf = node(
                "Erf",
                scope + "/Erf",
                List.of(node("Div", scope + "/Div", List.of(x, constant(scope + "/Constant", floatScalar((float)
                        Math.sqrt(2)))))));
        String onePlus = node("Add", scope + "/Add", List.of(erf, constant(scope + "/Constant_1", floatScalar(1))));
        String product = node("Mul", scope + "/Mul", List.of(x, onePlus));
        return node("Mul", scope + "/Mul_1", List.of(product, constant(scope + "/Constant_2", floatScalar(0.5f))));
    }

    /** Writes a state_dict tensor as an initializer under its own name (its family's), and returns that name. */
    private String stateDict(String name) {
        FloatTensor t = tensors.get(name);
        String stored = style.architecture() == Architecture.DISTILBERT ? TinyEncoder.distilBertName(name) : name;
        initializer(tensor(FLOAT, t.shape(), ProtoWriter.floatBytes(t.data())).string(8, stored));
        return stored;
    }

    private void initializer(ProtoWriter tensor) {
        initializers.message(5, tensor);
    }

    /** Adds a node with one output, named as torch.onnx names them, and returns that output. */
    private String node(String op, String name, List<String> inputs, ProtoWriter... attributes) {
        String output = name + "_output_0";
        ProtoWriter n = new ProtoWriter();
        for (String input : inputs) {
            n.string(1, input);
        }
        n.string(2, output).string(3, name).string(4, op);
        for (ProtoWriter a : attributes) {
            n.message(5, a);
        }
        nodes.message(1, n);
        return output;
    }

    private void multiNode(String op, String name, List<String> inputs, List<String> outputs) {
        ProtoWriter n = new ProtoWriter();
        for (String input : inputs) {
            n.string(1, input);
        }
        for (String output : outputs) {
            n.string(2, output);
        }
        nodes.message(1, n.string(3, name).string(4, op));
    }

    private String constant(String name, ProtoWriter value) {
        return node("Constant", name, List.of(), attribute("value", ATTR_TENSOR).message(5, value));
    }

    private static ProtoWriter attribute(String name, int type) {
        return new ProtoWriter().string(1, name).varint(20, type);
    }

    private static ProtoWriter ints(String name, long... values) {
        ProtoWriter a = attribute(name, ATTR_INTS);
        for (long v : values) {
            a.varint(8, v);
        }
        return a;
    }

    private static ProtoWriter axis(long value) {
        return attribute("axis", ATTR_INT).varint(3, value);
    }

    /** A TensorProto as torch.onnx writes one: dims unpacked, then data_type, then raw_data. */
    private static ProtoWriter tensor(int dataType, int[] dims, byte[] raw) {
        ProtoWriter t = new ProtoWriter();
        for (int d : dims) {
            t.varint(1, d);
        }
        return t.varint(2, dataType).bytes(9, raw);
    }

    private static ProtoWriter floatScalar(float value) {
        return tensor(FLOAT, new int[0], ProtoWriter.floatBytes(value));
    }

    private static ProtoWriter int64Scalar(long value) {
        return tensor(INT64, new int[0], ProtoWriter.longBytes(value));
    }

    private static ProtoWriter int64s(long... values) {
        return tensor(INT64, new int[] {values.length}, ProtoWriter.longBytes(values));
    }

    /**
     * A typed ValueInfoProto, so ONNX Runtime can run the graph: each dimension a number, or a name for a dynamic one.
     */
    private static ProtoWriter valueInfo(String name, int elementType, String... dims) {
        ProtoWriter shape = new ProtoWriter();
        for (String d : dims) {
            ProtoWriter dim = new ProtoWriter();
            shape.message(
                    1, d.chars().allMatch(Character::isDigit) ? dim.varint(1, Long.parseLong(d)) : dim.string(2, d));
        }
        ProtoWriter tensorType = new ProtoWriter().varint(1, elementType).message(2, shape);
        return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
    }
}
