package dev.sparseinfer.engine.io.onnx;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.testing.MalformedInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Any byte string, loaded as a BERT ONNX export (protobuf wire format, graph, initializers, the mapping of nodes to
 * layers), either loads or fails with one declared, one-line error. Seeded (in {@code OnnxFuzzTestInputs/}) with
 * tiny synthetic exports in two exporter styles and two int8-quantised forms (dynamic MatMulInteger, QDQ), the first 4 KiB of the real all-MiniLM-L6-v2 file, and its real
 * graph with the initializers taken out; those, and any input a fuzzing run found, replay on every build.
 */
class OnnxFuzzTest {

    private static Path dir;
    private static Path file;

    @BeforeAll
    static void createFile() throws IOException {
        dir = Files.createTempDirectory("onnx-fuzz");
        file = dir.resolve("fuzzed.onnx");
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
            OnnxBertLoader.load(file);
        } catch (SparseInferException e) {
            MalformedInput.requireDeclared(e, file);
        }
    }
}
