package dev.sparseinfer.engine.io.safetensors;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.testing.MalformedInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Any byte string, opened as a safetensors file and read tensor by tensor in every way the loaders read them,
 * either works or fails with one declared, one-line error. Seeded with real files written by
 * {@link SafetensorsWriter} (in {@code SafetensorsFuzzTestInputs/}); those, and any input a fuzzing run found,
 * replay as regression tests on every build.
 */
class SafetensorsFuzzTest {

    private static Path dir;
    private static Path file;

    @BeforeAll
    static void createFile() throws IOException {
        dir = Files.createTempDirectory("safetensors-fuzz");
        file = dir.resolve("fuzzed.safetensors");
    }

    @AfterAll
    static void deleteFile() throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
    }

    @FuzzTest(maxDuration = "60s")
    void anyBytesReadOrFailWithOneDeclaredError(byte[] bytes) {
        MalformedInput.write(file, bytes);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            f.metadata();
            for (TensorInfo t : f.tensors().values()) {
                f.readFloats(t.name());
                f.readBytes(t.name());
                f.bytes(t.name());
                if (t.shape().length == 2) {
                    f.table(t.name()).toMatrix();
                }
                if (t.dtype() == DType.I32 || t.dtype() == DType.I8 || t.dtype() == DType.U8) {
                    f.readInts(t.name());
                }
            }
        } catch (SparseInferException e) {
            MalformedInput.requireDeclared(e, file);
        }
    }
}
