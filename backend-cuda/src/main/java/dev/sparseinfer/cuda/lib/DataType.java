package dev.sparseinfer.cuda.lib;

/** {@code cudaDataType_t}: the element types our device buffers hold. */
public enum DataType {
    F32(0, 4),
    F16(2, 2),
    I8(3, 1),
    I32(10, 4);

    public final int code;
    public final int bytes;

    DataType(int code, int bytes) {
        this.code = code;
        this.bytes = bytes;
    }
}
