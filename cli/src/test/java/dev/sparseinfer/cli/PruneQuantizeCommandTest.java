package dev.sparseinfer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.io.packed.PackedModel;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.models.ModelRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code prune} and {@code quantize} as a user meets them: packed files that load back, and clean refusals. */
class PruneQuantizeCommandTest {

    @TempDir
    Path dir;

    /** MiniLM's vocabulary and positions, so its tokenizer fits, but 16 wide and one layer: quantised in a second. */
    private static final BertConfig TINY = new BertConfig(30522, 16, 1, 4, 28, 512, 2, 1e-12, BertConfig.GELU);

    private final CommandLineRun cli = new CommandLineRun();

    @Test
    void pruneThenQuantizeGivesOneTwoFourInt8FormatThatInspectAndEmbedRead() throws IOException {
        Path pruned = dir.resolve("pruned.safetensors");
        assertEquals(
                0,
                cli.run(
                        "prune",
                        "--model",
                        "minilm",
                        "--pattern",
                        "2:4",
                        "--method",
                        "magnitude",
                        "--out",
                        pruned.toString()),
                cli.err());
        assertTrue(cli.err().contains("mean cosine"), cli.err());

        assertEquals(0, cli.run("inspect", "--model", pruned.toString()), cli.err());
        assertEquals(36, count(cli.out(), "2:4 fp32"), cli.out());
        long denseLinearBytes = 6 * 4L * (4 * 384 * 384 + 2 * 384 * 1536);
        assertTrue(linearBytes(cli.out()) <= 0.57 * denseLinearBytes, cli.out());

        Path quantized = dir.resolve("quantized.safetensors");
        assertEquals(
                0,
                cli.run("quantize", "--model", pruned.toString(), "--scheme", "w8a8", "--out", quantized.toString()),
                cli.err());
        assertEquals(0, cli.run("inspect", "--model", quantized.toString()), cli.err());
        assertEquals(36, count(cli.out(), "2:4 int8 w8a8"), cli.out());
        assertTrue(linearBytes(cli.out()) <= 0.27 * denseLinearBytes, cli.out());

        Path input = dir.resolve("in.txt");
        Files.writeString(input, "a pruned and quantized model still embeds text\n");
        Path embeddings = dir.resolve("out.jsonl");
        assertEquals(
                0,
                cli.run(
                        "embed",
                        "--model",
                        quantized.toString(),
                        "--input",
                        input.toString(),
                        "--output",
                        embeddings.toString()),
                cli.err());
        assertEquals(1, Files.readAllLines(embeddings).size());
    }

    @Test
    void int8TablesAreWhatInspectShowsAndTakeAQuarterOfTheBytes() throws IOException {
        Path tiny = dir.resolve("tiny.safetensors");
        PackedModel.write(
                new LoadedModel(RandomBert.weights(TINY, new Random(Seeds.fresh())), minilmTokenizer(), "tiny"),
                "{}",
                tiny);
        Path quantized = dir.resolve("int8-tables.safetensors");
        assertEquals(
                0,
                cli.run(
                        "quantize",
                        "--model",
                        tiny.toString(),
                        "--scheme",
                        "w8",
                        "--tables",
                        "int8",
                        "--out",
                        quantized.toString()),
                cli.err());
        assertTrue(cli.err().contains("mean cosine"), cli.err());

        assertEquals(0, cli.run("inspect", "--model", quantized.toString()), cli.err());
        // 30,522 rows of 16 int8 values and one 4-byte scale each.
        assertTrue(
                cli.out()
                        .lines()
                        .anyMatch(l ->
                                l.matches("embeddings\\.word_embeddings +30522x16 +int8 per row +[0-9.]+% +610,440")),
                cli.out());
        assertEquals(3, count(cli.out(), "int8 per row"), cli.out());
    }

    private static String minilmTokenizer() throws IOException {
        try (InputStream in = ModelRegistry.class
                .getClassLoader()
                .getResourceAsStream(ModelRegistry.MINILM.tokenizer().resource())) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void badArgumentsExitTwoWithOneLineAndWriteNothing() throws IOException {
        Path target = dir.resolve("out.safetensors");
        Path empty = Files.writeString(dir.resolve("empty.txt"), "\n   \n\n");
        assertRefused(
                2,
                "--sparsity",
                "prune",
                "--model",
                "minilm",
                "--pattern",
                "unstructured",
                "--sparsity",
                "1.5",
                "--out",
                target.toString());
        assertRefused(
                2,
                "--sparsity",
                "prune",
                "--model",
                "minilm",
                "--pattern",
                "unstructured",
                "--sparsity",
                "0",
                "--out",
                target.toString());
        assertRefused(2, "3:4", "prune", "--model", "minilm", "--pattern", "3:4", "--out", target.toString());
        assertRefused(
                2,
                "--sparsity",
                "prune",
                "--model",
                "minilm",
                "--pattern",
                "2:4",
                "--sparsity",
                "0.7",
                "--out",
                target.toString());
        assertRefused(
                2,
                "no text",
                "prune",
                "--model",
                "minilm",
                "--pattern",
                "2:4",
                "--calibration",
                empty.toString(),
                "--out",
                target.toString());
        assertRefused(
                2,
                "--method",
                "prune",
                "--model",
                "minilm",
                "--pattern",
                "heads",
                "--method",
                "wanda",
                "--out",
                target.toString());
        assertRefused(
                2,
                "obs",
                "prune",
                "--model",
                "minilm",
                "--pattern",
                "2:4",
                "--method",
                "obs",
                "--out",
                target.toString());
        assertRefused(2, "w4", "quantize", "--model", "minilm", "--scheme", "w4", "--out", target.toString());
        assertRefused(
                2,
                "int4",
                "quantize",
                "--model",
                "minilm",
                "--scheme",
                "w8",
                "--tables",
                "int4",
                "--out",
                target.toString());
        assertRefused(
                2,
                ".safetensors",
                "quantize",
                "--model",
                "minilm",
                "--scheme",
                "w8",
                "--out",
                dir.resolve("model.bin").toString());
    }

    @Test
    void aTruncatedOrLyingModelFileExitsOneAndWritesNothing() throws IOException {
        Path good = dir.resolve("good.safetensors");
        assertEquals(
                0, cli.run("quantize", "--model", "minilm", "--scheme", "w8", "--out", good.toString()), cli.err());
        byte[] bytes = Files.readAllBytes(good);

        Path truncated = Files.write(dir.resolve("truncated.safetensors"), Arrays.copyOf(bytes, bytes.length / 3));
        assertRefused(
                1,
                "truncated.safetensors",
                "quantize",
                "--model",
                truncated.toString(),
                "--scheme",
                "w8a8",
                "--out",
                dir.resolve("a.safetensors").toString());

        int headerLength = (int)
                ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(bytes, 8, headerLength, StandardCharsets.UTF_8);
        Matcher offsets = Pattern.compile("\"data_offsets\":\\[(\\d+),(\\d+)]").matcher(header);
        assertTrue(offsets.find(), header.substring(0, 200));
        // Same header length, but the first tensor now claims bytes that overlap its neighbour's.
        String lie = header.substring(0, offsets.start(1))
                + pad(Long.parseLong(offsets.group(1)) + 4, offsets.group(1).length())
                + header.substring(offsets.end(1));
        byte[] lying = bytes.clone();
        byte[] lieBytes = lie.getBytes(StandardCharsets.UTF_8);
        assertEquals(headerLength, lieBytes.length);
        System.arraycopy(lieBytes, 0, lying, 8, headerLength);
        Path liar = Files.write(dir.resolve("lying.safetensors"), lying);
        assertRefused(
                1,
                "lying.safetensors",
                "prune",
                "--model",
                liar.toString(),
                "--pattern",
                "ffn",
                "--out",
                dir.resolve("b.safetensors").toString());
    }

    /** {@code value} in exactly {@code width} characters, so the header keeps its length (JSON allows the spaces). */
    private static String pad(long value, int width) {
        String s = Long.toString(value);
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    private void assertRefused(int exit, String named, String... args) throws IOException {
        List<Path> before;
        try (var files = Files.list(dir)) {
            before = files.sorted().toList();
        }
        String command = String.join(" ", args);
        assertEquals(exit, cli.run(args), command + ": " + cli.err());
        assertEquals(1, cli.err().lines().count(), command + ": " + cli.err());
        assertTrue(cli.err().startsWith("sparseinfer: "), cli.err());
        assertTrue(cli.err().contains(named), command + ": the message should name " + named + ": " + cli.err());
        try (var files = Files.list(dir)) {
            assertEquals(before, files.sorted().toList(), command + " left a file behind");
        }
    }

    private static long count(String text, String needle) {
        return text.lines().filter(l -> l.contains(needle)).count();
    }

    /** The bytes of the encoder's linear layers, as inspect lists them. */
    private static long linearBytes(String inspect) {
        return inspect.lines()
                .filter(l -> l.startsWith("encoder.layer."))
                .mapToLong(
                        l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1).replace(",", "")))
                .sum();
    }

    @Test
    void structuredPruningShrinksTheMatrices() {
        Path heads = dir.resolve("heads.safetensors");
        assertEquals(
                0,
                cli.run(
                        "prune",
                        "--model",
                        "minilm",
                        "--pattern",
                        "heads",
                        "--sparsity",
                        "0.25",
                        "--out",
                        heads.toString()),
                cli.err());
        assertEquals(0, cli.run("inspect", "--model", heads.toString()), cli.err());
        // 9 of 12 heads of 32 kept: query, key and value lose rows, the attention output loses columns.
        assertEquals(
                12,
                cli.out()
                        .lines()
                        .filter(l -> l.matches("encoder\\.layer\\.\\d\\.attention\\.self\\.(query|key) +288x384 .*"))
                        .count(),
                cli.out());
        assertEquals(
                6,
                cli.out()
                        .lines()
                        .filter(l -> l.matches("encoder\\.layer\\.\\d\\.attention\\.output\\.dense +384x288 .*"))
                        .count(),
                cli.out());

        Path ffn = dir.resolve("ffn.safetensors");
        assertEquals(
                0,
                cli.run(
                        "prune",
                        "--model",
                        heads.toString(),
                        "--pattern",
                        "ffn",
                        "--sparsity",
                        "0.5",
                        "--out",
                        ffn.toString()),
                cli.err());
        assertEquals(0, cli.run("inspect", "--model", ffn.toString()), cli.err());
        assertEquals(
                6,
                cli.out()
                        .lines()
                        .filter(l -> l.matches("encoder\\.layer\\.\\d\\.intermediate\\.dense +768x384 .*"))
                        .count(),
                cli.out());
        assertEquals(
                6,
                cli.out()
                        .lines()
                        .filter(l -> l.matches("encoder\\.layer\\.\\d\\.output\\.dense +384x768 .*"))
                        .count(),
                cli.out());
        assertEquals(
                6,
                cli.out()
                        .lines()
                        .filter(l -> l.matches("encoder\\.layer\\.\\d\\.attention\\.self\\.value +288x384 .*"))
                        .count(),
                "heads pruned before stay pruned: " + cli.out());
    }
}
