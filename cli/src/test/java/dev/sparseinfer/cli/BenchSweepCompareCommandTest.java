package dev.sparseinfer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench sweep} and {@code bench compare}: JSON with the documented fields, a report, ratios, and refusals. */
class BenchSweepCompareCommandTest {

    @TempDir
    Path dir;

    private final CommandLineRun cli = new CommandLineRun();

    @Test
    void sweepsWritesJsonAndReportAndComparesWithItself() throws IOException {
        Path json = dir.resolve("sweep.json");
        Path report = dir.resolve("report");
        assertEquals(
                0,
                cli.run(
                        "bench",
                        "sweep",
                        "--shapes",
                        "16x12",
                        "--model",
                        "none",
                        "--tokens",
                        "1,4",
                        "--sparsities",
                        "0.5,0.9",
                        "--no-int8",
                        "--runs",
                        "2",
                        "--threads",
                        "1",
                        "--json",
                        json.toString(),
                        "--report",
                        report.toString()),
                cli.err());
        assertTrue(cli.out().contains("median and p90 over 2 timed calls each"), cli.out());
        assertTrue(cli.out().contains("cpu, 16x12 (in x out), 4 token(s): CSR beats dense from"), cli.out());

        JsonObject root = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals("sweep", root.get("kind").getAsString());
        assertEquals(8, root.getAsJsonArray("results").size(), "dense, 2:4, CSR 50 % and 90 %, at two token counts");
        JsonObject first = root.getAsJsonArray("results").get(0).getAsJsonObject();
        for (String field : new String[] {
            "backend", "shape", "tokens", "format", "sparsity", "median_ms", "p90_ms", "speedup", "samples"
        }) {
            assertTrue(first.has(field), field + " missing: " + first);
        }
        assertEquals(2, root.getAsJsonArray("crossovers").size());
        assertTrue(root.getAsJsonArray("crossovers").get(0).getAsJsonObject().has("crossover_sparsity"));

        String page = Files.readString(report.resolve("sweep.md"));
        assertTrue(page.contains("CSR beats dense from"));
        assertTrue(page.contains("(sweep-16x12.png)"), page);
        assertFalse(page.contains(".svg)"), "the page links only the PNG charts, which are committed: " + page);
        byte[] png = Files.readAllBytes(report.resolve("sweep-16x12.png"));
        assertEquals("PNG", new String(Arrays.copyOfRange(png, 1, 4), StandardCharsets.US_ASCII));
        assertTrue(Files.readString(report.resolve("sweep-16x12.svg")).contains("<svg"));

        assertEquals(0, cli.run("bench", "compare", json.toString(), json.toString()), cli.err());
        assertEquals(
                8, cli.out().lines().filter(l -> l.startsWith("cpu 16x12 ")).count(), cli.out());
        assertTrue(
                cli.out()
                        .lines()
                        .filter(l -> l.startsWith("cpu 16x12 "))
                        .allMatch(l -> l.split("\\s+")[6].equals("1.00x")),
                cli.out());
        assertTrue(cli.out().contains("8 result(s) in both"), cli.out());
    }

    @Test
    void compareMatchesResultsByWhatWasMeasured() throws IOException {
        Path a = Files.writeString(
                dir.resolve("a.json"),
                "{\"kind\":\"bench\",\"machine\":{\"cpu\":\"A\"},\"results\":["
                        + "{\"model\":\"minilm\",\"backend\":\"cpu\",\"threads\":2,\"median_ms\":10,\"speedup\":1},"
                        + "{\"model\":\"m24\",\"backend\":\"cpu\",\"threads\":2,\"median_ms\":8,\"speedup\":1.25}]}");
        Path b = Files.writeString(
                dir.resolve("b.json"),
                "{\"kind\":\"bench\",\"machine\":{\"cpu\":\"B\"},\"results\":["
                        + "{\"model\":\"m24\",\"backend\":\"cpu\",\"threads\":2,\"median_ms\":2,\"speedup\":2.5},"
                        + "{\"model\":\"minilm\",\"backend\":\"cpu\",\"threads\":2,\"median_ms\":5,\"speedup\":1},"
                        + "{\"model\":\"w8a8\",\"backend\":\"cpu\",\"threads\":2,\"median_ms\":4,\"speedup\":1.25}]}");
        assertEquals(0, cli.run("bench", "compare", a.toString(), b.toString()), cli.err());
        assertTrue(cli.out().lines().anyMatch(l -> l.startsWith("minilm cpu 2") && l.contains("0.50x")), cli.out());
        assertTrue(
                cli.out()
                        .lines()
                        .anyMatch(l -> l.startsWith("m24 cpu 2") && l.contains("0.25x") && l.contains("2.50x")),
                cli.out());
        assertTrue(cli.out().lines().anyMatch(l -> l.startsWith("w8a8 cpu 2") && l.contains("only in B")), cli.out());
        assertTrue(cli.out().contains("2 result(s) in both"), cli.out());
    }

    @Test
    void badOptionsAndFilesEndInOneLineWithExitTwo() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "not json");
        Path demo = Files.writeString(dir.resolve("demo.json"), "{\"kind\":\"demo\",\"results\":[]}");
        Path sweep = Files.writeString(dir.resolve("sweep.json"), "{\"kind\":\"sweep\",\"results\":[]}");
        assertRefused("--tokens", "bench", "sweep", "--model", "none", "--tokens", "0");
        assertRefused("--sparsities", "bench", "sweep", "--model", "none", "--sparsities", "0.5,1.5");
        assertRefused("--shapes", "bench", "sweep", "--model", "none", "--shapes", "13x7");
        assertRefused("--runs", "bench", "sweep", "--model", "none", "--runs", "0");
        assertRefused("unknown backend 'tpu'", "bench", "sweep", "--model", "none", "--backend", "tpu");
        assertRefused("unknown model 'no-such-model'", "bench", "sweep", "--model", "no-such-model");
        assertRefused(
                "--report: cannot write to",
                "bench",
                "sweep",
                "--model",
                "none",
                "--report",
                file.resolve("r").toString());
        assertRefused("not valid JSON", "bench", "compare", file.toString(), sweep.toString());
        assertRefused(
                "cannot read", "bench", "compare", dir.resolve("missing.json").toString(), sweep.toString());
        assertRefused("cannot compare demo results", "bench", "compare", demo.toString(), sweep.toString());
        assertRefused("Missing required parameter", "bench", "compare", sweep.toString());
        assertRefused("missing --model", "bench");
    }

    private void assertRefused(String expected, String... args) {
        assertEquals(2, cli.run(args), cli.err());
        assertEquals(1, cli.err().lines().count(), cli.err());
        assertTrue(cli.err().contains(expected), expected + " not in: " + cli.err());
    }
}
