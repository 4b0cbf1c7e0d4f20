package dev.sparseinfer.engine.io.packed;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.testing.MalformedInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Any byte string, loaded as a packed model (its metadata: format version, config, int8 scheme, table format,
 * tensor digests; then the embedding tables and every linear layer in their stored formats), either loads or fails
 * with one declared, one-line error. Seeded (in {@code PackedModelFuzzTestInputs/}) with tiny packed models in all
 * six linear formats and one with int8 embedding tables, written by {@link PackedModel#write}: each without tensor
 * digests, so mutated tensor data reaches the format readers, and two with them.
 */
class PackedModelFuzzTest {

    private static Path dir;
    private static Path file;

    @BeforeAll
    static void createFile() throws IOException {
        dir = Files.createTempDirectory("packed-fuzz");
        file = dir.resolve("fuzzed.safetensors");
    }

    @AfterAll
    static void deleteFile() throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
    }

    @FuzzTest(maxDuration = "60s")
    void anyBytesLoadOrFailWithOneDeclaredError(byte[] bytes) {
        MalformedInput.write(file, bytes);
        try {
            PackedModel.load(file);
        } catch (SparseInferException e) {
            MalformedInput.requireDeclared(e, file);
        }
    }
}
