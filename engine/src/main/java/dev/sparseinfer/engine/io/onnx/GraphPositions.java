package dev.sparseinfer.engine.io.onnx;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * How an exported encoder numbers positions. BERT and DistilBERT exports look position rows up with ids counted from
 * zero (a slice of the {@code position_ids} buffer); RoBERTa's compute them in the graph, as
 * {@code create_position_ids_from_input_ids} does: {@code cumsum(mask) * mask + padding_idx} with
 * {@code mask = input_ids != padding_idx}, which torch.onnx writes as Equal, Not, Cast, CumSum, Mul, Cast, Add.
 */
final class GraphPositions {

    private GraphPositions() {}

    /** The padding index positions are counted from, or empty for ids counted from zero. */
    static OptionalInt paddingIndex(OnnxModel model) {
        for (OnnxNode node : model.nodes()) {
            if (node.opType().equals("Gather") && node.inputs().size() == 2 && computedByCumSum(model, node.input(1))) {
                return OptionalInt.of(paddingAddedTo(model, node));
            }
        }
        return OptionalInt.empty();
    }

    /** The {@code padding_idx} of the final {@code + padding_idx}, seen through the Casts after it. */
    private static int paddingAddedTo(OnnxModel model, OnnxNode gather) {
        Optional<OnnxNode> producer = model.producer(gather.input(1));
        while (producer.isPresent() && producer.get().opType().equals("Cast")) {
            producer = model.producer(producer.get().input(0));
        }
        if (producer.isPresent() && producer.get().opType().equals("Add")) {
            OnnxNode add = producer.get();
            for (int i = 0; i < 2; i++) {
                Optional<OnnxTensor> pad = model.constant(add.input(i)).filter(t -> t.elementCount() == 1);
                if (pad.isPresent() && !pad.get().isFloatingPoint() && computedByCumSum(model, add.input(1 - i))) {
                    long value = pad.get().toLongs()[0];
                    if (value < 0 || value > Integer.MAX_VALUE - 1) {
                        throw model.error("position ids add padding index " + value + ", not a table row");
                    }
                    return (int) value;
                }
            }
        }
        throw model.error("Gather '" + gather.name() + "' looks rows up by ids computed with a CumSum, but not as "
                + "cumsum(mask) * mask + padding_idx, the only such position ids supported");
    }

    /** Whether a CumSum is among the nodes {@code value} is computed from. */
    private static boolean computedByCumSum(OnnxModel model, String value) {
        Deque<String> pending = new ArrayDeque<>();
        Set<String> seen = new HashSet<>();
        pending.push(value);
        while (!pending.isEmpty()) {
            String v = pending.pop();
            if (!seen.add(v)) {
                continue;
            }
            Optional<OnnxNode> producer = model.producer(v);
            if (producer.isEmpty()) {
                continue;
            }
            if (producer.get().opType().equals("CumSum")) {
                return true;
            }
            producer.get().inputs().forEach(pending::push);
        }
        return false;
    }
}
