package dev.sparseinfer.engine.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.testing.Seeds;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FloatTableTest {

    @Test
    void everyReadWidensEachEncodingToTheSameValuesAsAScalarReference() {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        for (FloatTable.Encoding encoding : FloatTable.Encoding.values()) {
            int rows = 1 + random.nextInt(9);
            int cols = 1 + random.nextInt(37);
            String context = encoding + " " + rows + "x" + cols + " (seed " + seed + ")";
            try (Arena arena = Arena.ofConfined()) {
                Stored stored = Stored.random(encoding, rows, cols, random, arena);
                FloatTable table = new FloatTable(rows, cols, encoding, stored.segment());
                float[] expected = stored.widened();

                float[] got = new float[rows * cols];
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        got[r * cols + c] = table.get(r, c);
                    }
                }
                assertArrayEquals(expected, got, "get, " + context);

                int row = random.nextInt(rows);
                float[] read = new float[cols + 3];
                table.readRow(row, read, 2);
                for (int c = 0; c < cols; c++) {
                    assertEquals(expected[row * cols + c], read[2 + c], "readRow, " + context);
                }

                float[] base = Seeds.gaussian(random, cols + 1, 1.0);
                float[] sum = base.clone();
                table.addRow(row, sum, 1);
                assertEquals(base[0], sum[0], "addRow writes nothing before its offset, " + context);
                for (int c = 0; c < cols; c++) {
                    assertEquals(base[1 + c] + expected[row * cols + c], sum[1 + c], "addRow, " + context);
                }

                assertArrayEquals(expected, table.toMatrix().data(), "toMatrix, " + context);
                FloatTable heap = table.onHeap();
                assertFalse(heap.values().isNative(), context);
                assertEquals(FloatTable.Encoding.F32, heap.encoding(), context);
                assertArrayEquals(expected, heap.toMatrix().data(), "onHeap, " + context);
                assertSame(heap, heap.onHeap(), context);
            }
        }
    }

    @Test
    void readingATableWhoseMemoryIsGoneThrowsRatherThanReadingFreedMemory() {
        for (FloatTable.Encoding encoding : FloatTable.Encoding.values()) {
            Arena arena = Arena.ofConfined();
            FloatTable table = new FloatTable(2, 3, encoding, arena.allocate(6L * encoding.bytes()));
            arena.close();
            assertThrows(IllegalStateException.class, () -> table.get(1, 2), encoding.name());
            assertThrows(IllegalStateException.class, () -> table.readRow(0, new float[3], 0), encoding.name());
            assertThrows(IllegalStateException.class, () -> table.addRow(0, new float[3], 0), encoding.name());
            assertThrows(IllegalStateException.class, table::toMatrix, encoding.name());
            assertThrows(IllegalStateException.class, table::onHeap, encoding.name());
        }
    }

    @Test
    void refusesASegmentOfTheWrongSizeForItsEncoding() {
        MemorySegment twelveBytes = MemorySegment.ofArray(new byte[12]);
        assertEquals(FloatTable.Encoding.F32, new FloatTable(1, 3, twelveBytes).encoding());
        assertEquals(FloatTable.Encoding.BF16, new FloatTable(2, 3, FloatTable.Encoding.BF16, twelveBytes).encoding());
        assertThrows(SparseInferException.class, () -> new FloatTable(2, 3, FloatTable.Encoding.F32, twelveBytes));
        assertThrows(SparseInferException.class, () -> new FloatTable(1, 3, FloatTable.Encoding.F16, twelveBytes));
    }

    /** Random values stored in an encoding, and what each stored element is exactly, widened by hand. */
    private record Stored(MemorySegment segment, float[] widened) {

        static Stored random(FloatTable.Encoding encoding, int rows, int cols, Random random, Arena arena) {
            int n = rows * cols;
            MemorySegment segment = arena.allocate((long) n * encoding.bytes());
            float[] widened = new float[n];
            for (int i = 0; i < n; i++) {
                float v = (float) (random.nextGaussian() * 2);
                switch (encoding) {
                    case F32 -> {
                        int bits = Float.floatToRawIntBits(v);
                        for (int b = 0; b < 4; b++) {
                            segment.set(ValueLayout.JAVA_BYTE, 4L * i + b, (byte) (bits >>> (8 * b)));
                        }
                        widened[i] = v;
                    }
                    case F16 -> {
                        short bits = Float.floatToFloat16(v);
                        putLittleEndian(segment, 2L * i, bits);
                        widened[i] = Float.float16ToFloat(bits);
                    }
                    case BF16 -> {
                        // Truncated rather than rounded: any 16 bits are a bf16 value.
                        int top = Float.floatToRawIntBits(v) >>> 16;
                        putLittleEndian(segment, 2L * i, (short) top);
                        widened[i] = Float.intBitsToFloat(top << 16);
                    }
                }
            }
            return new Stored(segment, widened);
        }

        private static void putLittleEndian(MemorySegment segment, long at, short bits) {
            segment.set(ValueLayout.JAVA_BYTE, at, (byte) bits);
            segment.set(ValueLayout.JAVA_BYTE, at + 1, (byte) (bits >>> 8));
        }
    }
}
