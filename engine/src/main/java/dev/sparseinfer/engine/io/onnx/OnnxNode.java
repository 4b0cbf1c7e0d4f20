package dev.sparseinfer.engine.io.onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An ONNX {@code NodeProto}: one operator, the values it reads and writes by name, and its attributes. */
public record OnnxNode(
        String name, String opType, List<String> inputs, List<String> outputs, Map<String, OnnxAttribute> attributes) {

    private static final int INPUT = 1;
    private static final int OUTPUT = 2;
    private static final int NAME = 3;
    private static final int OP_TYPE = 4;
    private static final int ATTRIBUTE = 5;

    public OnnxNode {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        attributes = Map.copyOf(attributes);
    }

    public Optional<OnnxAttribute> attribute(String attributeName) {
        return Optional.ofNullable(attributes.get(attributeName));
    }

    /** The input at {@code index}, or "" where the node has fewer (ONNX's own spelling of an omitted input). */
    public String input(int index) {
        return index < inputs.size() ? inputs.get(index) : "";
    }

    /** The output at {@code index}, or "" where the node has fewer. */
    public String output(int index) {
        return index < outputs.size() ? outputs.get(index) : "";
    }

    static OnnxNode parse(ProtoReader r) {
        String name = "";
        String opType = "";
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        Map<String, OnnxAttribute> attributes = new HashMap<>();
        while (r.next()) {
            switch (r.field()) {
                case INPUT -> inputs.add(r.string());
                case OUTPUT -> outputs.add(r.string());
                case NAME -> name = r.string();
                case OP_TYPE -> opType = r.string();
                case ATTRIBUTE -> {
                    OnnxAttribute a = OnnxAttribute.parse(r.message());
                    attributes.put(a.name(), a);
                }
                default -> r.skip();
            }
        }
        return new OnnxNode(name, opType, inputs, outputs, attributes);
    }
}
