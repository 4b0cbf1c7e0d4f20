package dev.sparseinfer.engine.io.onnx;

import java.util.ArrayList;
import java.util.List;

/**
 * An ONNX {@code AttributeProto}. Only the value fields the loaders read are kept (float, int, tensor, ints); one
 * the attribute does not set reads as its protobuf default (0, empty, or {@code null} for {@code t}).
 */
public record OnnxAttribute(String name, float f, long i, OnnxTensor t, long[] ints) {

    private static final int NAME = 1;
    private static final int F = 2;
    private static final int I = 3;
    private static final int T = 5;
    private static final int INTS = 8;

    static OnnxAttribute parse(ProtoReader r) {
        String name = "";
        float f = 0;
        long i = 0;
        OnnxTensor t = null;
        List<ProtoReader> ints = new ArrayList<>();
        while (r.next()) {
            switch (r.field()) {
                case NAME -> name = r.string();
                case F -> f = r.float32();
                case I -> i = r.int64();
                case T -> t = OnnxTensor.parse(r.message());
                case INTS -> ints.add(r.packed(ProtoReader.VARINT));
                default -> r.skip();
            }
        }
        return new OnnxAttribute(name, f, i, t, ProtoReader.varints(ints));
    }
}
