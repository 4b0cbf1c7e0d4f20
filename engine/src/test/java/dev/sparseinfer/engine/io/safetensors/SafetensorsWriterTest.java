package dev.sparseinfer.engine.io.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.testing.Seeds;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {

    @TempDir
    Path dir;

    @Test
    void roundTripsRandomBytesOfEveryDtypeBitExactly() {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        SafetensorsWriter writer = new SafetensorsWriter();
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (DType dtype : DType.values()) {
            // Odd sizes, so each tensor leaves the next one unaligned; plus a scalar and an empty tensor.
            for (int[] shape : List.of(
                    new int[] {1 + random.nextInt(5), 1 + 2 * random.nextInt(6)}, new int[0], new int[] {3, 0})) {
                String name = "t." + dtype + "." + shape.length + "." + bytes.size();
                byte[] data = new byte[elements(shape) * dtype.bytes()];
                random.nextBytes(data);
                writer.add(name, dtype, shape, data);
                bytes.put(name, data);
                shapes.put(name, shape);
            }
        }
        Path file = dir.resolve("all.safetensors");
        writer.write(file);

        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertEquals(List.copyOf(bytes.keySet()), List.copyOf(read.tensors().keySet()), "seed " + seed);
            for (String name : bytes.keySet()) {
                TensorInfo info = read.info(name);
                assertEquals(name.split("\\.")[1], info.dtype().safetensorsName(), name + ", seed " + seed);
                assertArrayEquals(shapes.get(name), info.shape(), name + ", seed " + seed);
                assertArrayEquals(bytes.get(name), read.readBytes(name), name + ", seed " + seed);
                ByteBuffer view = read.bytes(name);
                assertTrue(view.isReadOnly(), name);
                byte[] viewed = new byte[view.remaining()];
                view.get(viewed);
                assertArrayEquals(bytes.get(name), viewed, name + ", seed " + seed);
            }
        }
    }

    @Test
    void roundTripsFloatsAsF32BitExactlyAndAsF16RoundedToNearest() {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        float[] values = new float[37];
        for (int i = 0; i < values.length; i++) {
            // Any bit pattern, NaN payloads and subnormals included: F32 must not touch them.
            values[i] = Float.intBitsToFloat(random.nextInt());
        }
        float[] moderate = Seeds.gaussian(random, 37, 100);
        int[] ints = random.ints(37).toArray();
        Path file = dir.resolve("floats.safetensors");
        new SafetensorsWriter()
                .addF32("f32", new int[] {37}, values)
                .addF16("f16", new int[] {37, 1}, moderate)
                .addI32("i32", new int[] {1, 37}, ints)
                .write(file);

        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            float[] f32 = read.readFloats("f32").data();
            float[] f16 = read.readFloats("f16").data();
            for (int i = 0; i < values.length; i++) {
                assertEquals(Float.floatToRawIntBits(values[i]), Float.floatToRawIntBits(f32[i]), i + ", seed " + seed);
                assertEquals(Float.float16ToFloat(Float.floatToFloat16(moderate[i])), f16[i], i + ", seed " + seed);
            }
            assertEquals(DType.F16, read.info("f16").dtype());
            assertArrayEquals(ints, read.readInts("i32"), "seed " + seed);
        }
    }

    @Test
    void roundTripsMetadataStringsExactly() {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("sparseinfer.config", "{\"hidden_size\": 12, \"quote\": \"\\\"\"}");
        metadata.put("unicode ключ", "naïve – 日本語 \uD83D\uDE00\n\ttab and newline");
        metadata.put("empty", "");
        metadata.put("large", "x".repeat(200_000));
        SafetensorsWriter writer = new SafetensorsWriter();
        metadata.forEach(writer::metadata);
        Path file = dir.resolve("meta.safetensors");
        writer.addF32("w", new int[] {2}, new float[] {1, 2}).write(file);

        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertEquals(metadata, read.metadata());
            assertEquals(List.of("w"), List.copyOf(read.tensors().keySet()));
        }
    }

    @Test
    void writesWhatTheReferenceReaderDemands() throws IOException {
        Path file = dir.resolve("layout.safetensors");
        new SafetensorsWriter()
                .metadata("format", "pt")
                .add("a", DType.U8, new int[] {3}, new byte[] {1, 2, 3})
                .addF32("b", new int[] {2, 2}, new float[] {1, 2, 3, 4})
                .addF16("c", new int[] {1}, new float[] {0.5f})
                .write(file);

        byte[] raw = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, headerLength % 8, "header padded to 8 bytes");
        String header = new String(raw, 8, (int) headerLength, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{"), header);
        assertEquals(header.strip().length(), header.stripTrailing().length(), "padding is trailing spaces only");
        JsonObject json = JsonParser.parseString(header).getAsJsonObject();
        assertEquals("pt", json.getAsJsonObject("__metadata__").get("format").getAsString());
        // Insertion order, back to back from offset 0, covering the data exactly: no gaps, no tail.
        List<String> names = new ArrayList<>();
        long expectedBegin = 0;
        for (Map.Entry<String, JsonElement> e : json.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            names.add(e.getKey());
            JsonArray offsets = e.getValue().getAsJsonObject().getAsJsonArray("data_offsets");
            assertEquals(expectedBegin, offsets.get(0).getAsLong(), e.getKey());
            expectedBegin = offsets.get(1).getAsLong();
        }
        assertEquals(List.of("a", "b", "c"), names);
        assertEquals(3 + 16 + 2, expectedBegin);
        assertEquals(8 + headerLength + expectedBegin, raw.length);
        assertEquals("F16", json.getAsJsonObject("c").get("dtype").getAsString());
        assertEquals("[2,2]", json.getAsJsonObject("b").get("shape").toString());
    }

    @Test
    void writesAnEmptyFileThatOpens() {
        Path file = dir.resolve("empty.safetensors");
        new SafetensorsWriter().write(file);
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertTrue(read.tensors().isEmpty());
            assertTrue(read.metadata().isEmpty());
        }
    }

    @Test
    void replacesAnExistingFileWhole() throws IOException {
        Path file = dir.resolve("model.safetensors");
        Files.write(file, new byte[10_000]);
        new SafetensorsWriter().addF32("w", new int[] {1}, new float[] {7}).write(file);
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertArrayEquals(new float[] {7}, read.readFloats("w").data());
        }
        assertEquals(List.of(file), listing(dir));
    }

    @Test
    void leavesNoTemporaryFileWhenTheRenameFails() throws IOException {
        // A non-empty directory cannot be replaced by a file: the data is all written, then the move fails.
        Path target = dir.resolve("taken");
        Files.createDirectory(target);
        Files.writeString(target.resolve("keep.txt"), "keep");
        SafetensorsWriter writer = new SafetensorsWriter().addF32("w", new int[] {300_000}, new float[300_000]);

        SparseInferException e = assertThrows(SparseInferException.class, () -> writer.write(target));

        assertEquals(SparseInferException.Code.IO, e.code());
        assertTrue(e.getMessage().contains(target.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertEquals(List.of(target), listing(dir));
        assertEquals(List.of(target.resolve("keep.txt")), listing(target));
    }

    @Test
    void leavesNothingWhenTheDirectoryIsMissing() {
        Path target = dir.resolve("no-such-dir").resolve("model.safetensors");
        SparseInferException e = assertThrows(
                SparseInferException.class,
                () -> new SafetensorsWriter()
                        .addF32("w", new int[] {1}, new float[] {1})
                        .write(target));
        assertEquals(SparseInferException.Code.IO, e.code());
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
        assertEquals(List.of(), listing(dir));
    }

    @Test
    void rejectsATensorWhoseValuesDoNotFillItsShape() {
        SafetensorsWriter writer = new SafetensorsWriter();
        SparseInferException e = assertThrows(
                SparseInferException.class, () -> writer.add("w", DType.F32, new int[] {2, 3}, new byte[20]));
        assertEquals(SparseInferException.Code.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("w: shape [2, 3] of F32 needs 24 bytes, got 20"), e.getMessage());
        assertThrows(SparseInferException.class, () -> writer.addF16("h", new int[] {4}, new float[3]));
        assertThrows(SparseInferException.class, () -> writer.addI32("i", new int[] {-1}, new int[0]));
        SparseInferException huge = assertThrows(
                SparseInferException.class,
                () -> writer.add(
                        "big",
                        DType.I64,
                        new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, 0},
                        new byte[0]));
        assertTrue(huge.getMessage().contains("is too large"), huge.getMessage());
        // Nothing rejected makes it into the file.
        Path file = dir.resolve("ok.safetensors");
        writer.write(file);
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertTrue(read.tensors().isEmpty());
        }
    }

    @Test
    void rejectsReservedAndRepeatedNames() {
        SafetensorsWriter writer = new SafetensorsWriter().addF32("w", new int[] {1}, new float[1]);
        assertThrows(SparseInferException.class, () -> writer.addF32("w", new int[] {1}, new float[1]));
        assertThrows(SparseInferException.class, () -> writer.addF32("__metadata__", new int[] {1}, new float[1]));
    }

    private static int elements(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    private static List<Path> listing(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
