package dev.sparseinfer.engine.io.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sparseinfer.engine.api.SparseInferException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Malformed files: each must fail on open with one line naming the file and what is wrong, and nothing else. */
class SafetensorsHeaderTest {

    private static final String GOOD_ENTRY = "\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}";

    @TempDir
    Path dir;

    @Test
    void rejectsTruncatedData() throws IOException {
        Path file = dir.resolve("truncated.safetensors");
        new SafetensorsWriter()
                .addF32("first", new int[] {4}, new float[4])
                .addF32("last", new int[] {4}, new float[4])
                .write(file);
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(whole, whole.length - 3));
        rejects(file, "tensor 'last'", "data_offsets [16, 32]", "29-byte data section", "truncated");
    }

    @Test
    void rejectsAFileTooShortForTheLengthField() throws IOException {
        rejects(Files.write(dir.resolve("short.safetensors"), new byte[] {8, 0, 0}), "too short", "3 bytes");
        rejects(Files.write(dir.resolve("empty.safetensors"), new byte[0]), "too short", "0 bytes");
    }

    @Test
    void rejectsAHeaderLengthBeyondTheFile() throws IOException {
        Path file =
                RawSafetensors.write(dir.resolve("long.safetensors"), 1000, "{}".getBytes(StandardCharsets.US_ASCII));
        rejects(file, "header length 1000 does not fit a 10-byte file");
    }

    @Test
    void rejectsAHeaderLengthOfTwoToTheSixtyThird() throws IOException {
        Path file = RawSafetensors.write(
                dir.resolve("huge.safetensors"), Long.MIN_VALUE, "{}".getBytes(StandardCharsets.US_ASCII));
        rejects(file, "header length 9223372036854775808 does not fit");
        Path allOnes =
                RawSafetensors.write(dir.resolve("ones.safetensors"), -1L, "{}".getBytes(StandardCharsets.US_ASCII));
        rejects(allOnes, "header length 18446744073709551615 does not fit");
    }

    @Test
    void rejectsAHeaderLongerThanTheLimitEvenWhenTheFileIsLonger() throws IOException {
        // A sparse file: big enough to hold the claimed header, which must still not be read or allocated.
        Path file = RawSafetensors.write(dir.resolve("sparse.safetensors"), SafetensorsHeader.MAX_HEADER_BYTES + 1);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(SafetensorsHeader.MAX_HEADER_BYTES + 100);
        }
        rejects(file, "header length 100000001 does not fit", "at most 100000000");
    }

    @Test
    void rejectsAHeaderThatIsNotJson() throws IOException {
        rejects(header("{\"w\": {\"dtype\": \"F32\", "), "header is not valid JSON");
        rejects(header("{\"w\": {dtype: \"F32\"}}"), "header is not valid JSON");
        rejects(header("{} trailing"), "header is not valid JSON");
        rejects(header("[1, 2]"), "header does not start with '{'");
        rejects(header("  "), "header does not start with '{'");
        rejects(header("{\"w\": 1}"), "tensor 'w' is not an object");
    }

    @Test
    void rejectsAHeaderThatIsNotUtf8() throws IOException {
        byte[] header = {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '{', '}', '}'};
        rejects(RawSafetensors.write(dir.resolve("latin.safetensors"), header.length, header), "not valid UTF-8");
    }

    @Test
    void rejectsARepeatedTensorName() throws IOException {
        rejects(header("{" + GOOD_ENTRY + "," + GOOD_ENTRY + "}"), "duplicate key: w");
    }

    @Test
    void rejectsOffsetsOutsideTheData() throws IOException {
        rejects(
                header("{\"w\":{\"dtype\":\"F32\",\"shape\":[100],\"data_offsets\":[0,400]}}"),
                "tensor 'w'",
                "data_offsets [0, 400] outside the 16-byte data section");
        rejects(
                header("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}"),
                "tensor 'w'",
                "data_offsets [8, 4]");
        rejects(
                header("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}"),
                "tensor 'w'",
                "data_offsets entry -4");
        rejects(
                header("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}"),
                "tensor 'w'",
                "no data_offsets array of 2 integers");
        rejects(
                header("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4.5]}}"),
                "tensor 'w'",
                "data_offsets entry 4.5");
        rejects(
                header("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,1e400]}}"),
                "tensor 'w'",
                "data_offsets entry");
        rejects(
                header("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,99999999999999999999999]}}"),
                "tensor 'w'",
                "below 10^18");
    }

    @Test
    void rejectsOverlappingTensors() throws IOException {
        rejects(
                header("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}"),
                "tensors 'a' [0, 8] and 'b' [4, 12] overlap");
        rejects(
                header("{\"b\":{\"dtype\":\"I8\",\"shape\":[4],\"data_offsets\":[6,10]},"
                        + "\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}"),
                "tensors 'a' [0, 16] and 'b' [6, 10] overlap");
    }

    @Test
    void rejectsAShapeThatDoesNotMatchTheByteCount() throws IOException {
        rejects(
                header("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}"),
                "tensor 'w' has 16 bytes of data but its shape [3] of F32 needs 12");
        rejects(
                header("{\"w\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,16]}}"),
                "tensor 'w' has 16 bytes of data but its shape [2, 2] of F16 needs 8");
    }

    @Test
    void rejectsShapesThatAreNegativeOrOverflow() throws IOException {
        rejects(
                header("{\"w\":{\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]}}"),
                "tensor 'w' has shape entry -4");
        rejects(
                header("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296],\"data_offsets\":[0,16]}}"),
                "tensor 'w' has dimension 4294967296");
        rejects(
                header(
                        "{\"w\":{\"dtype\":\"I64\",\"shape\":[2147483647,2147483647,2147483647],\"data_offsets\":[0,16]}}"),
                "tensor 'w' has a shape too large");
        rejects(
                header("{\"w\":{\"dtype\":\"F32\",\"shape\":\"[4]\",\"data_offsets\":[0,16]}}"),
                "tensor 'w' has no shape array");
        rejects(
                header("{\"w\":{\"dtype\":\"F32\",\"shape\":[\"4\"],\"data_offsets\":[0,16]}}"),
                "tensor 'w' has shape entry \"4\"");
    }

    @Test
    void rejectsAnUnknownOrMissingDtype() throws IOException {
        rejects(
                header("{\"w\":{\"dtype\":\"Q4_K\",\"shape\":[4],\"data_offsets\":[0,16]}}"),
                "tensor 'w' has unsupported dtype 'Q4_K'");
        rejects(
                header("{\"w\":{\"dtype\":\"f32\",\"shape\":[4],\"data_offsets\":[0,16]}}"),
                "tensor 'w' has unsupported dtype 'f32'");
        rejects(header("{\"w\":{\"shape\":[4],\"data_offsets\":[0,16]}}"), "tensor 'w' has no dtype");
    }

    @Test
    void rejectsMetadataThatIsNotStrings() throws IOException {
        rejects(header("{\"__metadata__\":{\"n\":3}," + GOOD_ENTRY + "}"), "__metadata__ entry 'n' is not a string");
        rejects(header("{\"__metadata__\":[]," + GOOD_ENTRY + "}"), "__metadata__ is not an object");
    }

    @Test
    void acceptsWhatTheReferenceWriterProduces() throws IOException {
        // Padding spaces after the JSON, metadata, and a zero-size tensor sharing an offset with its neighbour.
        Path file = header("{\"__metadata__\":{\"format\":\"pt\"}," + GOOD_ENTRY
                + ",\"e\":{\"dtype\":\"BF16\",\"shape\":[0,3],\"data_offsets\":[16,16]}}     ");
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertEquals(2, read.tensors().size());
            assertEquals(0, read.readFloats("e").data().length);
        }
    }

    /** A file with this header and 16 bytes of data. */
    private Path header(String json) throws IOException {
        return RawSafetensors.write(Files.createTempFile(dir, "bad", ".safetensors"), json, new byte[16]);
    }

    private static void rejects(Path file, String... fragments) {
        try {
            SafetensorsFile.open(file).close();
            fail(file + " opened, expected it to be rejected for: " + String.join(", ", fragments));
        } catch (SparseInferException e) {
            assertEquals(SparseInferException.Code.INVALID_MODEL, e.code(), e.getMessage());
            assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            for (String fragment : fragments) {
                assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
            }
        }
    }
}
