package dev.sparseinfer.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.sparseinfer.cuda.CudaAvailability;
import dev.sparseinfer.cuda.CudaProbe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: exit codes, one-line errors, output files. Runs on the built-in model. */
class MainTest {

    @TempDir
    Path dir;

    private final CommandLineRun cli = new CommandLineRun();

    @Test
    void embedWritesOneJsonLinePerInputLineInOrder() throws IOException {
        Path input = dir.resolve("in.txt");
        Files.writeString(input, "first text\n\nthird, after an empty line\n", StandardCharsets.UTF_8);
        Path output = dir.resolve("out.jsonl");
        assertEquals(
                0,
                cli.run(
                        "embed",
                        "--model",
                        "minilm",
                        "--backend",
                        "cpu",
                        "--threads",
                        "2",
                        "--input",
                        input.toString(),
                        "--output",
                        output.toString()),
                cli.err());
        List<String> lines = Files.readAllLines(output);
        assertEquals(3, lines.size());
        for (int i = 0; i < 3; i++) {
            JsonObject o = JsonParser.parseString(lines.get(i)).getAsJsonObject();
            assertEquals(i, o.get("index").getAsInt());
            assertEquals(384, o.getAsJsonArray("embedding").size());
        }
        assertEquals(
                2,
                JsonParser.parseString(lines.get(1))
                        .getAsJsonObject()
                        .get("tokens")
                        .getAsInt(),
                "an empty line is [CLS] [SEP]");
        assertEquals(
                4,
                JsonParser.parseString(lines.get(0))
                        .getAsJsonObject()
                        .get("tokens")
                        .getAsInt());
    }

    @Test
    void autoBackendSaysWhyItRunsOnTheCpu() throws IOException {
        Path input = dir.resolve("in.txt");
        Files.writeString(input, "hello\n");
        assertEquals(
                0,
                cli.run(
                        "embed",
                        "--model",
                        "minilm",
                        "--input",
                        input.toString(),
                        "--output",
                        dir.resolve("o").toString()));
        CudaAvailability cuda = CudaProbe.system();
        Assumptions.assumeFalse(cuda.available(), "this machine runs the CUDA backend");
        assertTrue(
                cli.err().lines().anyMatch(l -> l.equals("sparseinfer: " + cuda.reason() + "; running on cpu")),
                cli.err());
    }

    @Test
    void cudaBackendWithoutAGpuExitsOneNamingWhatIsMissing() throws IOException {
        CudaAvailability cuda = CudaProbe.system();
        Assumptions.assumeFalse(cuda.available(), "this machine runs the CUDA backend");
        Path input = dir.resolve("in.txt");
        Files.writeString(input, "hello\n");
        assertEquals(
                1,
                cli.run(
                        "embed",
                        "--model",
                        "minilm",
                        "--backend",
                        "cuda",
                        "--input",
                        input.toString(),
                        "--output",
                        dir.resolve("o").toString()));
        assertEquals(List.of("sparseinfer: " + cuda.reason()), cli.err().lines().toList());
    }

    @Test
    void embedReplacesMalformedUtf8AndCountsItInOneWarning() throws IOException {
        byte[] bad = {'o', 'k', (byte) 0xFF, '\n', (byte) 0xC3, '\n', 'f', 'i', 'n', 'e', '\n'};
        Path input = Files.write(dir.resolve("bad.txt"), bad);
        Path output = dir.resolve("out.jsonl");
        assertEquals(
                0,
                cli.run("embed", "--model", "minilm", "--input", input.toString(), "--output", output.toString()),
                cli.err());
        assertEquals(3, Files.readAllLines(output).size());
        List<String> warnings =
                cli.err().lines().filter(l -> l.contains("warning")).toList();
        assertEquals(
                List.of("sparseinfer: warning: 2 malformed UTF-8 sequences in the input were replaced by U+FFFD"),
                warnings);
    }

    @Test
    void inspectListsEveryLayerAndTotals() {
        assertEquals(0, cli.run("inspect", "--model", "minilm"), cli.err());
        String text = cli.out();
        assertTrue(text.contains("encoder.layer.5.output.dense"), text);
        assertTrue(text.contains("1536x384"), text);
        assertTrue(text.contains("total bytes"), text);
        // 6 layers x 6 linear layers + 3 embedding tables.
        assertEquals(39, text.lines().filter(l -> l.contains("dense fp32")).count(), text);
    }

    /**
     * {@code --precision bf16} embeds within 1e-3 of 1 - cosine of fp32 where the CPU runs it, and otherwise runs fp32
     * and says so in one line.
     */
    @Test
    void bf16PrecisionEmbedsCloseToFp32OrSaysWhyItRunsFp32() throws IOException {
        Path input = dir.resolve("in.txt");
        Files.writeString(input, "a short sentence about the weather in spring\n");
        float[] fp32 = embedOne(input, "fp32");
        float[] bf16 = embedOne(input, "bf16");
        if (cli.err().contains("bf16 precision refused")) {
            assertEquals(1, cli.err().lines().filter(l -> l.contains("bf16")).count(), cli.err());
            assertArrayEquals(fp32, bf16);
        } else {
            double dot = 0;
            for (int i = 0; i < fp32.length; i++) {
                dot += fp32[i] * bf16[i];
            }
            // Both are unit length, so the dot product is the cosine.
            assertTrue(1 - dot < 1e-3 && 1 - dot > 0, "cosine " + dot);
        }
    }

    private float[] embedOne(Path input, String precision) throws IOException {
        Path output = dir.resolve(precision + ".jsonl");
        assertEquals(
                0,
                cli.run(
                        "embed",
                        "--model",
                        "minilm",
                        "--backend",
                        "cpu",
                        "--threads",
                        "1",
                        "--precision",
                        precision,
                        "--input",
                        input.toString(),
                        "--output",
                        output.toString()),
                cli.err());
        var values = JsonParser.parseString(Files.readString(output))
                .getAsJsonObject()
                .getAsJsonArray("embedding");
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i).getAsFloat();
        }
        return v;
    }

    @Test
    void usageErrorsExitTwoWithOneLine() {
        assertUsageError("embed", "--model", "minilm", "--bogus");
        assertUsageError("embed", "--model", "no-such-model");
        assertUsageError("embed", "--model", "minilm", "--backend", "tpu");
        assertUsageError("embed", "--model", "minilm", "--threads", "0");
        assertUsageError("embed", "--model", "minilm", "--precision", "fp16");
        assertUsageError("embed", "--model", "minilm", "--batch", "zero");
        assertUsageError(
                "embed",
                "--model",
                "minilm",
                "--input",
                dir.resolve("missing.txt").toString());
        assertUsageError("frobnicate");
        assertUsageError();
    }

    private void assertUsageError(String... args) {
        assertEquals(2, cli.run(args), String.join(" ", args) + ": " + cli.err());
        assertEquals(1, cli.err().lines().count(), String.join(" ", args) + ": " + cli.err());
        assertTrue(cli.err().startsWith("sparseinfer: "), cli.err());
    }

    @Test
    void aBrokenModelFileExitsOneAndLeavesNoOutput() throws IOException {
        Path broken = dir.resolve("broken.onnx");
        Files.write(broken, new byte[] {0x0a, (byte) 0xff, (byte) 0xff, 0x7f});
        Files.writeString(dir.resolve("tokenizer.json"), "{}");
        Path input = dir.resolve("in.txt");
        Files.writeString(input, "hello\n");
        Path output = dir.resolve("out.jsonl");
        assertEquals(
                1,
                cli.run(
                        "embed",
                        "--model",
                        broken.toString(),
                        "--input",
                        input.toString(),
                        "--output",
                        output.toString()));
        assertEquals(1, cli.err().lines().count(), cli.err());
        assertFalse(Files.exists(output));
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temporary file left behind");
        }
    }
}
