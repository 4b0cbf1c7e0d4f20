package dev.sparseinfer.engine.io.onnx;

import dev.sparseinfer.engine.format.Int8Scheme;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The one line that says a graph was quantised and how SparseInfer runs it instead. */
final class QuantizationNotice {

    private QuantizationNotice() {}

    /** Empty for an fp32 graph. */
    static Optional<String> of(List<QuantizedWeight> linears, Collection<QuantizedWeight> tables) {
        if (linears.isEmpty() && tables.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder line = new StringBuilder("int8-quantised ONNX graph");
        if (!linears.isEmpty()) {
            Map<String, Long> schemes = new TreeMap<>(linears.stream()
                    .collect(Collectors.groupingBy(w -> w.scheme().label(), Collectors.counting())));
            long requantized = linears.stream().filter(w -> !w.isExact()).count();
            line.append(": ")
                    .append(schemes.entrySet().stream()
                            .map(e -> e.getValue() + " linear layers run as int8 " + e.getKey())
                            .collect(Collectors.joining(", ")))
                    .append(
                            requantized == 0
                                    ? " with the file's int8 weights and scales unchanged"
                                    : ", " + requantized + " of them dequantised and requantised to symmetric int8"
                                            + " (their zero points leave [-127, 127])");
            if (schemes.containsKey(Int8Scheme.W8A8.label())) {
                // The one arithmetic difference from ONNX Runtime left once the weights are exact.
                line.append("; activations are quantised per token to symmetric int8, where ONNX Runtime"
                        + " quantises each tensor to asymmetric uint8, so results differ from its by rounding");
            }
        }
        if (!tables.isEmpty()) {
            String types = tables.stream()
                    .map(t -> t.values().typeName().toLowerCase(Locale.ROOT))
                    .distinct()
                    .collect(Collectors.joining("/"));
            line.append("; ")
                    .append(tables.size())
                    .append(" ")
                    .append(types)
                    .append(" embedding tables dequantised to fp32 exactly");
        }
        return Optional.of(line.toString());
    }
}
