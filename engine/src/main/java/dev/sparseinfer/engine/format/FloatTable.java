package dev.sparseinfer.engine.format;

import dev.sparseinfer.engine.api.SparseInferException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A row-major table ({@code [rows, cols]}, little-endian fp32, fp16 or bf16) that need not live on the heap: an
 * embedding table read straight from a memory-mapped model file, or a heap array. Every read widens to fp32, so a
 * half-precision table stays in the file as it is. A mapped table is valid while its file stays mapped; reading it
 * after the model is closed throws {@link IllegalStateException}, it never reads freed memory.
 */
public record FloatTable(int rows, int cols, Encoding encoding, MemorySegment values) {

    /** How the values are stored, each little-endian; widening fp16 and bf16 to fp32 is exact. */
    public enum Encoding {
        F32(4),
        F16(2),
        /** The top half of an fp32: widened by shifting it back into place. */
        BF16(2);

        private final int bytes;

        Encoding(int bytes) {
            this.bytes = bytes;
        }

        public int bytes() {
            return bytes;
        }
    }

    /** How fp32 tables store their values: the byte order of safetensors and ONNX files, at any alignment. */
    public static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final ValueLayout.OfShort I16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public FloatTable {
        if (encoding == null) {
            throw SparseInferException.invalidArgument("table of " + rows + "x" + cols + " without an encoding");
        }
        if (rows < 0 || cols < 0 || (long) encoding.bytes() * rows * cols != values.byteSize()) {
            throw SparseInferException.invalidArgument("table of " + rows + "x" + cols + " " + encoding
                    + " cannot be held in " + values.byteSize() + " bytes");
        }
    }

    /** An fp32 table. */
    public FloatTable(int rows, int cols, MemorySegment values) {
        this(rows, cols, Encoding.F32, values);
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
        long at = ((long) row * cols + col) * encoding.bytes();
        return switch (encoding) {
            case F32 -> values.get(F32_LE, at);
            case F16 -> Float.float16ToFloat(values.get(I16_LE, at));
            case BF16 -> Float.intBitsToFloat(values.get(I16_LE, at) << 16);
        };
    }

    /** Row {@code row}, widened to fp32, into {@code out[offset, offset + cols)}. */
    public void readRow(int row, float[] out, int offset) {
        long at = (long) row * cols * encoding.bytes();
        switch (encoding) {
            case F32 -> MemorySegment.copy(values, F32_LE, at, out, offset, cols);
            case F16 -> {
                for (int c = 0; c < cols; c++) {
                    out[offset + c] = Float.float16ToFloat(values.get(I16_LE, at + 2L * c));
                }
            }
            case BF16 -> {
                for (int c = 0; c < cols; c++) {
                    out[offset + c] = Float.intBitsToFloat(values.get(I16_LE, at + 2L * c) << 16);
                }
            }
        }
    }

    /** Adds row {@code row}, widened to fp32, to {@code out[offset, offset + cols)}. */
    public void addRow(int row, float[] out, int offset) {
        long at = (long) row * cols * encoding.bytes();
        switch (encoding) {
            case F32 -> {
                for (int c = 0; c < cols; c++) {
                    out[offset + c] += values.get(F32_LE, at + 4L * c);
                }
            }
            case F16 -> {
                for (int c = 0; c < cols; c++) {
                    out[offset + c] += Float.float16ToFloat(values.get(I16_LE, at + 2L * c));
                }
            }
            case BF16 -> {
                for (int c = 0; c < cols; c++) {
                    out[offset + c] += Float.intBitsToFloat(values.get(I16_LE, at + 2L * c) << 16);
                }
            }
        }
    }

    /** This table if it is on the heap, else an fp32 heap copy of it: a table that outlives the file it was read from. */
    public FloatTable onHeap() {
        return values.isNative() ? of(toMatrix()) : this;
    }

    /** An fp32 heap copy, for code that works on arrays (pruning, writing a packed file, a backend that uploads them). */
    public FloatMatrix toMatrix() {
        if (encoding == Encoding.F32) {
            return new FloatMatrix(rows, cols, values.toArray(F32_LE));
        }
        float[] data = new float[Math.multiplyExact(rows, cols)];
        for (int r = 0; r < rows; r++) {
            readRow(r, data, r * cols);
        }
        return new FloatMatrix(rows, cols, data);
    }
}
