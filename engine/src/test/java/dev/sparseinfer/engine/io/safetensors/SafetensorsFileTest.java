package dev.sparseinfer.engine.io.safetensors;

import static dev.sparseinfer.engine.io.safetensors.RawSafetensors.ints;
import static dev.sparseinfer.engine.io.safetensors.RawSafetensors.longs;
import static dev.sparseinfer.engine.io.safetensors.RawSafetensors.shorts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.format.FloatTable;
import dev.sparseinfer.engine.format.FloatTensor;
import dev.sparseinfer.engine.testing.Seeds;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {

    @TempDir
    Path dir;

    @Test
    void widensHalfPrecisionBitPatternsToTheirExactValues() throws IOException {
        // Bit patterns worked out by hand from IEEE 754 binary16: sign, 5-bit exponent (bias 15), 10-bit fraction.
        int[] f16 = {0x3C00, 0xC000, 0x3555, 0x7BFF, 0x0001, 0x03FF, 0x8000, 0x7C00, 0xFC00, 0x7E00};
        float[] expected = {
            1f, // 2^0
            -2f, // -2^1
            0.333251953125f, // 2^-2 * (1 + 341/1024)
            65504f, // largest finite: 2^15 * (2 - 2^-10)
            0x1p-24f, // smallest subnormal
            1023 * 0x1p-24f, // largest subnormal
            -0f,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            Float.NaN
        };
        Path file = RawSafetensors.write(
                dir.resolve("f16.safetensors"),
                "{\"h\":{\"dtype\":\"F16\",\"shape\":[10],\"data_offsets\":[0,20]}}",
                shorts(f16));
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertArrayEquals(expected, read.readFloats("h").data());
            assertEquals(
                    Float.floatToRawIntBits(-0f),
                    Float.floatToRawIntBits(read.readFloats("h").data()[6]));
        }
    }

    @Test
    void widensBfloat16BitPatternsToTheirExactValues() throws IOException {
        // bfloat16 is float32's sign, 8-bit exponent and top 7 fraction bits.
        int[] bf16 = {0x3F80, 0xC040, 0x3EAB, 0x7F7F, 0x0001, 0x8000, 0xFF80};
        float[] expected = {
            1f,
            -3f, // -2^1 * (1 + 64/128)
            0.333984375f, // 2^-2 * (1 + 43/128)
            0x1.FEp127f, // largest finite: 2^127 * (2 - 2^-7)
            0x1p-133f, // smallest subnormal: 2^-126 * 2^-7
            -0f,
            Float.NEGATIVE_INFINITY
        };
        Path file = RawSafetensors.write(
                dir.resolve("bf16.safetensors"),
                "{\"b\":{\"dtype\":\"BF16\",\"shape\":[7],\"data_offsets\":[0,14]}}",
                shorts(bf16));
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertArrayEquals(expected, read.readFloats("b").data());
        }
    }

    @Test
    void widensIntegersToTheNearestFloat() throws IOException {
        byte[] i8 = {-128, -1, 0, 127};
        byte[] u8 = {0, -1, -128};
        byte[] i32 = ints(Integer.MIN_VALUE, -1, 16_777_217);
        byte[] i64 = longs(Long.MIN_VALUE, (1L << 53) + 1);
        Path file = RawSafetensors.write(
                dir.resolve("ints.safetensors"),
                "{"
                        + "\"i8\":{\"dtype\":\"I8\",\"shape\":[4],\"data_offsets\":[0,4]},"
                        + "\"u8\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[4,7]},"
                        + "\"i32\":{\"dtype\":\"I32\",\"shape\":[3],\"data_offsets\":[7,19]},"
                        + "\"i64\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[19,35]}}",
                concat(i8, u8, i32, i64));
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertArrayEquals(
                    new float[] {-128, -1, 0, 127}, read.readFloats("i8").data());
            assertArrayEquals(new float[] {0, 255, 128}, read.readFloats("u8").data());
            assertArrayEquals(
                    new float[] {-0x1p31f, -1, 16_777_216},
                    read.readFloats("i32").data());
            assertArrayEquals(
                    new float[] {-0x1p63f, 0x1p53f}, read.readFloats("i64").data());
            assertArrayEquals(new int[] {-128, -1, 0, 127}, read.readInts("i8"));
            assertArrayEquals(new int[] {0, 255, 128}, read.readInts("u8"));
            assertArrayEquals(new int[] {Integer.MIN_VALUE, -1, 16_777_217}, read.readInts("i32"));
            SparseInferException e = assertThrows(SparseInferException.class, () -> read.readInts("i64"));
            assertTrue(e.getMessage().contains("'i64' is I64"), e.getMessage());
        }
    }

    @Test
    void keepsShapesAndHeaderOrder() throws IOException {
        Path file = RawSafetensors.write(
                dir.resolve("order.safetensors"),
                "{"
                        + "\"z\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[8,16]},"
                        + "\"__metadata__\":{\"k\":\"v\"},"
                        + "\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}",
                new byte[16]);
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertEquals(List.of("z", "a"), List.copyOf(read.tensors().keySet()));
            FloatTensor z = read.readFloats("z");
            assertArrayEquals(new int[] {1, 2}, z.shape());
            assertEquals(0, read.readFloats("a").rank());
            assertEquals(Map.of("k", "v"), read.metadata());
            assertEquals(new TensorInfo("z", DType.F32, new int[] {1, 2}, 8, 16), read.info("z"));
        }
    }

    @Test
    void servesRawBytesAsALittleEndianReadOnlyView() throws IOException {
        Path file = RawSafetensors.write(
                dir.resolve("raw.safetensors"),
                "{\"i\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                ints(0x01020304, -2));
        SafetensorsFile read = SafetensorsFile.open(file);
        ByteBuffer view = read.bytes("i");
        assertEquals(ByteOrder.LITTLE_ENDIAN, view.order());
        assertTrue(view.isReadOnly());
        assertEquals(0x01020304, view.getInt(0));
        assertEquals(-2, view.getInt(4));
        read.close();
        read.close();
        // The mapping is gone: the view fails instead of reading freed memory.
        assertThrows(IllegalStateException.class, () -> view.get(0));
    }

    @Test
    void servesF16AndBf16TablesAsViewsOfTheMappingWidenedAsTheyAreRead() {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        int rows = 2 + random.nextInt(30);
        int cols = 1 + random.nextInt(20);
        int n = rows * cols;
        short[] half = new short[n];
        short[] brain = new short[n];
        float[] halfWidened = new float[n];
        float[] brainWidened = new float[n];
        for (int i = 0; i < n; i++) {
            half[i] = Float.floatToFloat16((float) random.nextGaussian());
            halfWidened[i] = Float.float16ToFloat(half[i]);
            brain[i] = (short) (Float.floatToRawIntBits((float) (random.nextGaussian() * 1e3)) >>> 16);
            brainWidened[i] = Float.intBitsToFloat(brain[i] << 16);
        }
        Path file = dir.resolve("tables.safetensors");
        new SafetensorsWriter()
                .add("half", DType.F16, new int[] {rows, cols}, shortsOf(half))
                .add("brain", DType.BF16, new int[] {rows, cols}, shortsOf(brain))
                .write(file);
        String context = rows + "x" + cols + " (seed " + seed + ")";

        SafetensorsFile read = SafetensorsFile.open(file);
        FloatTable f16 = read.table("half");
        FloatTable bf16 = read.table("brain");
        assertEquals(FloatTable.Encoding.F16, f16.encoding(), context);
        assertEquals(FloatTable.Encoding.BF16, bf16.encoding(), context);
        assertTrue(f16.values().isMapped() && bf16.values().isMapped(), "nothing copied, " + context);
        assertEquals(2L * n, f16.values().byteSize(), context);
        assertTableIs(halfWidened, f16, "F16 " + context);
        assertTableIs(brainWidened, bf16, "BF16 " + context);
        read.close();
        assertThrows(IllegalStateException.class, () -> f16.get(0, 0));
        assertThrows(IllegalStateException.class, () -> bf16.readRow(rows - 1, new float[cols], 0));
    }

    private static void assertTableIs(float[] expected, FloatTable table, String context) {
        assertArrayEquals(expected, table.toMatrix().data(), context);
        float[] row = new float[table.cols()];
        for (int r = 0; r < table.rows(); r++) {
            table.readRow(r, row, 0);
            for (int c = 0; c < table.cols(); c++) {
                int want = Float.floatToRawIntBits(expected[r * table.cols() + c]);
                assertEquals(want, Float.floatToRawIntBits(table.get(r, c)), context);
                assertEquals(want, Float.floatToRawIntBits(row[c]), context);
            }
        }
    }

    private static byte[] shortsOf(short[] values) {
        ByteBuffer b = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (short v : values) {
            b.putShort(v);
        }
        return b.array();
    }

    @Test
    void namesTheFileAndTensorWhenATensorIsMissing() throws IOException {
        Path file = RawSafetensors.write(
                dir.resolve("one.safetensors"),
                "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}",
                new byte[1]);
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            SparseInferException e = assertThrows(SparseInferException.class, () -> read.readFloats("b"));
            assertEquals(SparseInferException.Code.INVALID_MODEL, e.code());
            assertEquals(file + ": missing tensor 'b'", e.getMessage());
            assertFalse(read.has("b"));
        }
    }

    @Test
    void reportsAMissingFileAsAnIoError() {
        Path missing = dir.resolve("absent.safetensors");
        SparseInferException e = assertThrows(SparseInferException.class, () -> SafetensorsFile.open(missing));
        assertEquals(SparseInferException.Code.IO, e.code());
        assertEquals("cannot read " + missing + ": no such file", e.getMessage());
    }

    @Test
    void opensAFileAgainAfterItIsReplaced() throws IOException {
        Path file = dir.resolve("replaced.safetensors");
        new SafetensorsWriter().addF32("w", new int[] {1}, new float[] {1}).write(file);
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertEquals(1f, read.readFloats("w").data()[0]);
        }
        new SafetensorsWriter().addF32("w", new int[] {1}, new float[] {2}).write(file);
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertEquals(2f, read.readFloats("w").data()[0]);
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuffer b =
                ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }
}
