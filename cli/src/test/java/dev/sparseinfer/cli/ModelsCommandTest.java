package dev.sparseinfer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.models.BuiltinModel;
import dev.sparseinfer.models.ModelRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelsCommandTest {

    @TempDir
    Path dir;

    private final CommandLineRun cli = new CommandLineRun();

    @Test
    void listsEveryBuiltinModelWithItsDimensionsPoolingAndStatus() {
        assertEquals(0, cli.run("models"), cli.err());

        List<String> lines = cli.out().lines().toList();
        assertTrue(
                lines.getFirst().matches("name +aliases +dims +tokens +pooling +prompts +weights +size +status"),
                lines.getFirst());
        for (BuiltinModel m : ModelRegistry.builtins()) {
            String line = lines.stream()
                    .filter(l -> l.startsWith(m.name() + " "))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(m.name()));
            List<String> words = List.of(line.split(" +"));
            assertTrue(words.contains(Integer.toString(m.dimension())), line);
            assertTrue(line.contains("  " + m.recipe().pooling().name().toLowerCase() + ", normalized  "), line);
            assertTrue(
                    line.matches(
                            ".*(cached|on class path|in local Maven repository|not downloaded \\(\\d+ MB jar\\))$"),
                    line);
        }
        String minilm = lines.stream()
                .filter(l -> l.startsWith("all-minilm-l6-v2 "))
                .findFirst()
                .orElseThrow();
        assertTrue(
                minilm.matches(
                        "all-minilm-l6-v2 +minilm +384 +128 +mean, normalized +- +fp32 +90 MB +(cached|on class path)"),
                minilm);
        assertTrue(lines.stream().anyMatch(l -> l.matches("e5-small-v2 .* query, passage .*")), cli.out());
        assertTrue(
                lines.stream()
                        .anyMatch(l -> l.matches(
                                "bge-small-en-v15-q +bge-small-en-v1.5-q +384 +512 +cls, .* int8 \\(ORT\\) .*")),
                cli.out());
    }

    @Test
    void helpWorksAndStrayArgumentsAreUsageErrors() {
        assertEquals(0, cli.run("models", "--help"), cli.err());
        assertTrue(cli.out().contains("Lists the built-in models"), cli.out());

        assertEquals(2, cli.run("models", "--bogus"));
        assertEquals(1, cli.err().lines().count(), cli.err());
        assertEquals(2, cli.run("models", "minilm"));
        assertTrue(cli.err().startsWith("sparseinfer: "), cli.err());
    }

    @Test
    void anInt8ExportIsInspectedWithItsInt8LayersAndANote() {
        assertEquals(0, cli.run("inspect", "--model", "minilm-q"), cli.err());
        assertTrue(
                cli.out()
                        .lines()
                        .anyMatch(l -> l.matches("encoder\\.layer\\.5\\.output\\.dense +384x1536 +int8 w8a8 .*")),
                cli.out());
        assertTrue(cli.out().contains("note  int8-quantised ONNX graph: 36 linear layers run as int8 w8a8"), cli.out());
    }

    @Test
    void embeddingAnInt8ExportSaysOnceHowItRuns() throws IOException {
        Path input = dir.resolve("in.txt");
        Files.writeString(input, "an int8 export embeds too\n");
        Path output = dir.resolve("out.jsonl");
        assertEquals(
                0,
                cli.run(
                        "embed",
                        "--model",
                        "minilm-q",
                        "--backend",
                        "cpu",
                        "--input",
                        input.toString(),
                        "--output",
                        output.toString()),
                cli.err());
        assertEquals(
                1,
                cli.err()
                        .lines()
                        .filter(l -> l.startsWith("sparseinfer: int8-quantised ONNX graph: "))
                        .count(),
                cli.err());
        assertEquals(1, Files.readAllLines(output).size());
    }
}
