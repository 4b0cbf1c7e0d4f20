package dev.sparseinfer.engine.io.safetensors;

import java.util.Arrays;

/**
 * One tensor's header entry, already checked against the file: element type, shape, and its byte range within
 * the data section (which starts right after the header, so offsets are as the header states them).
 *
 * @param begin offset of the first byte within the data section
 * @param end   offset one past the last byte; {@code end - begin == elements() * dtype().bytes()}
 */
public record TensorInfo(String name, DType dtype, int[] shape, long begin, long end) {

    public TensorInfo {
        shape = shape.clone();
    }

    /** A copy, so callers cannot change what the file reports. */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** The number of elements; cannot overflow, since the reader checked it against the byte range. */
    public long elements() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    public long byteLength() {
        return end - begin;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t
                && name.equals(t.name)
                && dtype == t.dtype
                && Arrays.equals(shape, t.shape)
                && begin == t.begin
                && end == t.end;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * name.hashCode() + Arrays.hashCode(shape)) + Long.hashCode(begin);
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + Arrays.toString(shape) + " @[" + begin + ", " + end + ")";
    }
}
