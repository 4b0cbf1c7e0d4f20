package dev.sparseinfer.engine.format;

import dev.sparseinfer.engine.api.SparseInferException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A row-major fp32 table ({@code [rows, cols]}, little-endian) that need not live on the heap: an embedding table
 * read straight from a memory-mapped model file, or a heap array. A mapped table is valid while its file stays
 * mapped; reading it after the model is closed throws {@link IllegalStateException}, it never reads freed memory.
 */
public record FloatTable(int rows, int cols, MemorySegment values) {

    /** How every table stores its values: the byte order of safetensors and ONNX files, at any alignment. */
    public static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public FloatTable {
        if (rows < 0 || cols < 0 || 4L * rows * cols != values.byteSize()) {
            throw SparseInferException.invalidArgument(
                    "table of " + rows + "x" + cols + " cannot be held in " + values.byteSize() + " bytes");
        }
    }

    /** A heap matrix as a table: the same array where the platform is little-endian (every one Java 25 ships for). */
    public static FloatTable of(FloatMatrix m) {
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            return new FloatTable(m.rows(), m.cols(), MemorySegment.ofArray(m.data()));
        }
        MemorySegment le = MemorySegment.ofArray(new byte[4 * m.data().length]);
        MemorySegment.copy(m.data(), 0, le, F32_LE, 0, m.data().length);
        return new FloatTable(m.rows(), m.cols(), le);
    }

    public float get(int row, int col) {
        return values.get(F32_LE, 4L * ((long) row * cols + col));
    }

    /** This table if it is on the heap, else a heap copy of it: a table that outlives the file it was read from. */
    public FloatTable onHeap() {
        return values.isNative() ? of(toMatrix()) : this;
    }

    /** A heap copy, for code that works on arrays (pruning, writing a packed file, a backend that uploads them). */
    public FloatMatrix toMatrix() {
        return new FloatMatrix(rows, cols, values.toArray(F32_LE));
    }
}
