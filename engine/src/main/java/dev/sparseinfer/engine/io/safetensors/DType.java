package dev.sparseinfer.engine.io.safetensors;

import java.util.Optional;

/**
 * The safetensors element types SparseInfer reads and writes, each stored little-endian. The constant names are
 * the names safetensors writes in a header's {@code dtype} field; the format's other types (F64, BOOL, F8_*, the
 * unsigned wider integers) hold nothing a BERT checkpoint or a packed file needs.
 */
public enum DType {
    F32(4),
    F16(2),
    BF16(2),
    I8(1),
    U8(1),
    I32(4),
    I64(8);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The name in a safetensors header's {@code dtype} field. */
    public String safetensorsName() {
        return name();
    }

    /** The type a header's {@code dtype} field names, if SparseInfer supports it. */
    public static Optional<DType> fromSafetensorsName(String name) {
        for (DType t : values()) {
            if (t.safetensorsName().equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
