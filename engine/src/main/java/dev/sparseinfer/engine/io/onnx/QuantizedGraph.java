package dev.sparseinfer.engine.io.onnx;

import dev.sparseinfer.engine.format.Int8Scheme;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The quantised parts of a graph written by ONNX Runtime's quantisation tools, recognised one node at a time:
 * <ul>
 *   <li>dynamic: {@code DynamicQuantizeLinear(x)} → {@code MatMulInteger(xq, W, xzp, Wzp)} → {@code Cast} to float
 *       → {@code Mul} by {@code xscale · Wscale};
 *   <li>QOperator: {@code QLinearMatMul(xq, ..., W, Wscale, Wzp, ...)} → {@code DequantizeLinear};
 *   <li>QDQ: {@code MatMul} or {@code Gemm} whose weight is {@code DequantizeLinear(W, Wscale, Wzp)}, its input
 *       either fp32 or itself a {@code QuantizeLinear} → {@code DequantizeLinear} pair;
 *   <li>embedding tables: {@code Gather} of an int8/uint8 table → {@code DequantizeLinear}, or
 *       {@code DequantizeLinear} of the table → {@code Gather}.
 * </ul>
 * Every node it recognises is recorded; {@link #refuseTheRest} then fails on the first quantised node left over,
 * naming it and its op, so a graph we would run wrongly is never loaded.
 */
final class QuantizedGraph {

    /** A quantised Linear: its weight and the value holding its product, before any bias. */
    record Product(QuantizedWeight weight, String output) {}

    private final OnnxModel model;
    private final Set<OnnxNode> accounted = new HashSet<>();

    QuantizedGraph(OnnxModel model) {
        this.model = model;
    }

    /** The Linear a MatMulInteger or QLinearMatMul computes, checked whole; empty for any other op. */
    Optional<Product> integerProduct(OnnxNode node) {
        return switch (node.opType()) {
            case "MatMulInteger" -> Optional.of(matMulInteger(node));
            case "QLinearMatMul" -> Optional.of(qLinearMatMul(node));
            default -> Optional.empty();
        };
    }

    private Product matMulInteger(OnnxNode node) {
        String where = describe(node);
        OnnxTensor weight = initializer(where, "weight", node.input(1));
        OnnxTensor zeroPoint = node.input(3).isEmpty() ? null : constant(where, "weight zero point", node.input(3));
        OnnxNode cast = onlyConsumer(node, "Cast", where + ": its product is not read by one Cast to float");
        if (cast.attribute("to").map(OnnxAttribute::i).orElse(0L) != OnnxTensor.FLOAT) {
            throw model.error(where + ": its product is cast to type "
                    + cast.attribute("to").map(OnnxAttribute::i).orElse(0L) + ", not float");
        }
        OnnxNode rescale = onlyConsumer(cast, "Mul", where + ": its product, cast to float, is not scaled by one Mul");
        String combined = rescale.input(0).equals(cast.output(0)) ? rescale.input(1) : rescale.input(0);
        OnnxNode scales = model.producer(combined)
                .filter(n -> n.opType().equals("Mul"))
                .orElseThrow(() -> model.error(where + ": its output scale '" + combined
                        + "' is not the Mul of the input's scale and the weight's scale"));
        OnnxTensor weightScale = model.constant(scales.input(0))
                .or(() -> model.constant(scales.input(1)))
                .orElseThrow(() -> model.error(
                        where + ": missing weight scale: neither input of Mul '" + scales.name() + "' is a constant"));
        accounted.addAll(List.of(node, cast, rescale, scales));
        QuantizedWeight w = QuantizedWeight.of(where, weight, weightScale, zeroPoint, 1, true, Int8Scheme.W8A8, model);
        return new Product(w, rescale.output(0));
    }

    private Product qLinearMatMul(OnnxNode node) {
        String where = describe(node);
        OnnxTensor weight = initializer(where, "weight", node.input(3));
        OnnxTensor scale = constant(where, "weight scale", node.input(4));
        OnnxTensor zeroPoint = constant(where, "weight zero point", node.input(5));
        OnnxNode dequantize =
                onlyConsumer(node, "DequantizeLinear", where + ": its int8 output is not read by one DequantizeLinear");
        accounted.addAll(List.of(node, dequantize));
        return new Product(
                QuantizedWeight.of(where, weight, scale, zeroPoint, 1, true, Int8Scheme.W8A8, model),
                dequantize.output(0));
    }

    /**
     * The weight of a MatMul or Gemm that reads it through a DequantizeLinear of an initializer; empty where the
     * weight does not come from a DequantizeLinear. W8A8 where the input is itself dequantised (QDQ activations),
     * else weight-only W8.
     */
    Optional<QuantizedWeight> dequantizedWeight(OnnxNode node, boolean storedInOut) {
        Optional<OnnxNode> dq =
                model.producer(node.input(1)).filter(n -> n.opType().equals("DequantizeLinear"));
        if (dq.isEmpty()) {
            return Optional.empty();
        }
        String where = describe(node) + " (weight from " + describe(dq.get()) + ")";
        OnnxTensor weight = initializer(where, "weight", dq.get().input(0));
        QuantizedWeight w = QuantizedWeight.of(
                where,
                weight,
                constant(where, "scale", dq.get().input(1)),
                optionalConstant(where, "zero point", dq.get().input(2)),
                dq.get().attribute("axis").map(OnnxAttribute::i).orElse(1L),
                storedInOut,
                quantizedActivations(node.input(0)) ? Int8Scheme.W8A8 : Int8Scheme.W8,
                model);
        accounted.add(dq.get());
        return Optional.of(w);
    }

    /** Whether {@code input} is a QuantizeLinear → DequantizeLinear pair, which then counts as recognised. */
    private boolean quantizedActivations(String input) {
        Optional<OnnxNode> dq = model.producer(input).filter(n -> n.opType().equals("DequantizeLinear"));
        Optional<OnnxNode> q = dq.flatMap(d -> model.producer(d.input(0)))
                .filter(n -> n.opType().equals("QuantizeLinear"));
        if (q.isEmpty()) {
            return false;
        }
        accounted.add(dq.get());
        accounted.add(q.get());
        return true;
    }

    /**
     * The int8/uint8 embedding tables and their parameters, under the state_dict name of the fp32 table they
     * stand for ({@code embeddings.word_embeddings.weight}).
     */
    Map<String, QuantizedWeight> tables() {
        Map<String, QuantizedWeight> tables = new LinkedHashMap<>();
        for (OnnxNode node : model.nodes()) {
            if (node.opType().equals("Gather")) {
                OnnxTensor table = model.initializer(node.input(0)).orElse(null);
                if (table == null || !QuantizedWeight.isInt8(table)) {
                    continue;
                }
                String where = describe(node);
                OnnxNode dq = onlyConsumer(
                        node,
                        "DequantizeLinear",
                        where + ": gathers rows of the int8 table '" + table.name()
                                + "' but does not dequantise them with one DequantizeLinear");
                OnnxTensor scale = constant(where, "table scale", dq.input(1));
                if (scale.elementCount() != 1) {
                    throw model.error(
                            describe(dq) + ": only one scale per table is read, found " + scale.elementCount());
                }
                accounted.addAll(List.of(node, dq));
                tables.put(tableName(table, node), table(where, table, scale, dq, 1));
            } else if (node.opType().equals("DequantizeLinear")) {
                OnnxTensor table = model.initializer(node.input(0)).orElse(null);
                List<OnnxNode> readers = model.consumers(node.output(0));
                if (table == null
                        || readers.isEmpty()
                        || !readers.stream()
                                .allMatch(r -> r.opType().equals("Gather")
                                        && r.input(0).equals(node.output(0)))) {
                    continue;
                }
                String where = describe(node);
                long axis = node.attribute("axis").map(OnnxAttribute::i).orElse(1L);
                accounted.add(node);
                tables.put(
                        tableName(table, readers.getFirst()),
                        table(where, table, constant(where, "table scale", node.input(1)), node, axis));
            }
        }
        return tables;
    }

    private QuantizedWeight table(String where, OnnxTensor table, OnnxTensor scale, OnnxNode dq, long axis) {
        return QuantizedWeight.of(
                where,
                table,
                scale,
                optionalConstant(where, "zero point", dq.input(2)),
                axis,
                false,
                Int8Scheme.W8,
                model);
    }

    /**
     * ONNX Runtime names a quantised table {@code NAME_quantized}; failing that, the Gather's scope names the
     * module ({@code /embeddings/word_embeddings/Gather}).
     */
    private static String tableName(OnnxTensor table, OnnxNode gather) {
        String name = table.name().endsWith("_quantized")
                ? table.name().substring(0, table.name().length() - "_quantized".length())
                : table.name();
        int scopeEnd = gather.name().lastIndexOf('/');
        if (!name.endsWith(".weight") && gather.name().startsWith("/") && scopeEnd > 1) {
            return gather.name().substring(1, scopeEnd).replace('/', '.') + ".weight";
        }
        return name;
    }

    /**
     * Fails on the first quantised node not recognised above (an activation quantiser counts as recognised when
     * everything reading its quantised output was), naming it and its op.
     */
    void refuseTheRest() {
        for (OnnxNode node : model.nodes()) {
            String op = node.opType();
            boolean quantizer = op.equals("DynamicQuantizeLinear") || op.equals("QuantizeLinear");
            if (quantizer
                    && !model.consumers(node.output(0)).isEmpty()
                    && accounted.containsAll(model.consumers(node.output(0)))) {
                continue;
            }
            if (isQuantized(op) && !accounted.contains(node)) {
                throw model.error(describe(node) + ": not a quantised form SparseInfer reads (it reads"
                        + " DynamicQuantizeLinear → MatMulInteger → Cast → Mul, QLinearMatMul, DequantizeLinear of"
                        + " weights and embedding tables)");
            }
        }
    }

    /** ONNX and ONNX Runtime (com.microsoft) ops that compute on quantised values. */
    private static boolean isQuantized(String op) {
        return op.contains("Quantize")
                || op.contains("Integer")
                || op.matches("Q[A-Z].*")
                || op.contains("NBits")
                || op.contains("Q4");
    }

    private OnnxNode onlyConsumer(OnnxNode node, String op, String problem) {
        List<OnnxNode> readers = model.consumers(node.output(0));
        if (readers.size() != 1 || !readers.getFirst().opType().equals(op)) {
            throw model.error(problem);
        }
        return readers.getFirst();
    }

    private OnnxTensor initializer(String where, String what, String name) {
        return model.initializer(name)
                .orElseThrow(() -> model.error(where + ": " + what + " '" + name + "' is not an initializer"));
    }

    private OnnxTensor constant(String where, String what, String name) {
        if (name.isEmpty()) {
            throw model.error(where + ": missing " + what);
        }
        return model.constant(name)
                .orElseThrow(() -> model.error(where + ": " + what + " '" + name + "' is not a constant"));
    }

    private OnnxTensor optionalConstant(String where, String what, String name) {
        return name.isEmpty() ? null : constant(where, what, name);
    }

    private static String describe(OnnxNode node) {
        return node.opType() + " '" + node.name() + "'";
    }
}
