package dev.sparseinfer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM started without {@code --add-modules jdk.incubator.vector} runs the scalar kernels: the command says so
 * once, naming the flag, and embeds as a JVM with the module does (this test's own, which the build starts with it).
 */
class WithoutVectorModuleTest {

    private static final String NOTICE = "sparseinfer: cpu: the Vector API module is missing, running the scalar"
            + " kernels (much slower); start the JVM with --add-modules jdk.incubator.vector";

    @TempDir
    Path dir;

    private final CommandLineRun cli = new CommandLineRun();

    @Test
    void printsOneNoticeNamingTheFlagAndEmbedsTheSameVectors() throws Exception {
        Path input = dir.resolve("in.txt");
        Files.writeString(
                input, "the scalar kernels give the same embeddings\nsecond text, a little longer than the first\n");
        Path withModule = dir.resolve("with.jsonl");
        Path withoutModule = dir.resolve("without.jsonl");
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
                        withModule.toString()),
                cli.err());
        assertFalse(cli.err().contains("Vector API module is missing"), cli.err());

        List<String> err = childJvm(
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
                withoutModule.toString());
        assertEquals(1, err.stream().filter(NOTICE::equals).count(), String.join("\n", err));
        assertEquals(1, err.stream().filter(l -> l.contains("Vector API")).count(), String.join("\n", err));
        assertTrue(err.stream().anyMatch(l -> l.contains("on cpu (scalar, 2 threads)")), String.join("\n", err));

        List<String> expected = Files.readAllLines(withModule);
        List<String> actual = Files.readAllLines(withoutModule);
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            var e = JsonParser.parseString(expected.get(i)).getAsJsonObject();
            var a = JsonParser.parseString(actual.get(i)).getAsJsonObject();
            assertEquals(e.get("tokens").getAsInt(), a.get("tokens").getAsInt(), "text " + i);
            JsonArray ev = e.getAsJsonArray("embedding");
            JsonArray av = a.getAsJsonArray("embedding");
            assertEquals(ev.size(), av.size(), "text " + i);
            for (int c = 0; c < ev.size(); c++) {
                assertEquals(ev.get(c).getAsFloat(), av.get(c).getAsFloat(), 1e-5f, "text " + i + ", component " + c);
            }
        }
    }

    /** Runs the command line in a new JVM on this one's class path, without the Vector API module; returns stderr. */
    private List<String> childJvm(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-Dsparseinfer.cache=" + System.getProperty("sparseinfer.cache"),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        Path err = dir.resolve("child.err");
        Process process = new ProcessBuilder(command)
                .redirectError(err.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        process.getOutputStream().close();
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "the child JVM did not end: " + command);
        List<String> lines = Files.readAllLines(err, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), String.join("\n", lines));
        return lines;
    }
}
