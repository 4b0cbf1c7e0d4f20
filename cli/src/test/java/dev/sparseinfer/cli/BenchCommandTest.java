package dev.sparseinfer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench}: a table and JSON with the documented fields, and one-line refusals of bad options. */
class BenchCommandTest {

    @TempDir
    Path dir;

    private final CommandLineRun cli = new CommandLineRun();

    @Test
    void benchesTwoModelsAgainstTheFirstAndWritesTheJsonSchema() throws IOException {
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
        Path input = dir.resolve("texts.txt");
        Files.writeString(input, "The first text.\nA second, somewhat longer text about the weather.\nThird.\n");
        Path json = dir.resolve("bench.json");
        assertEquals(
                0,
                cli.run(
                        "bench",
                        "--model",
                        "minilm",
                        "--model",
                        pruned.toString(),
                        "--input",
                        input.toString(),
                        "--threads",
                        "1",
                        "--warmup",
                        "1",
                        "--runs",
                        "2",
                        "--json",
                        json.toString()),
                cli.err());
        assertTrue(
                cli.out()
                        .contains(
                                "3 texts, batch 1, warm-up of at least 1 pass(es) and 3 s, then 2 timed passes; medians and p90 over 6 samples"),
                cli.out());

        JsonObject report = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertTrue(report.getAsJsonObject("machine").has("cpu"), report.toString());
        JsonArray results = report.getAsJsonArray("results");
        assertEquals(2, results.size());
        JsonObject dense = results.get(0).getAsJsonObject();
        JsonObject sparse = results.get(1).getAsJsonObject();
        for (String field : new String[] {"model", "backend", "threads", "median_ms", "p90_ms", "speedup", "cosine"}) {
            assertTrue(dense.has(field) && sparse.has(field), "missing " + field + ": " + report);
        }
        assertEquals(1.0, dense.get("speedup").getAsDouble(), 1e-9);
        assertEquals(1.0, dense.get("cosine").getAsDouble(), 1e-6);
        assertEquals(1, dense.get("threads").getAsInt());
        assertTrue(dense.get("p90_ms").getAsDouble() >= dense.get("median_ms").getAsDouble(), report.toString());
        double cosine = sparse.get("cosine").getAsDouble();
        assertTrue(cosine > 0.2 && cosine < 0.999, "magnitude 2:4 should be close to, not equal to, dense: " + cosine);
        assertEquals(
                dense.get("median_ms").getAsDouble() / sparse.get("median_ms").getAsDouble(),
                sparse.get("speedup").getAsDouble(),
                1e-3);
    }

    @Test
    void badOptionsEndInOneLineAndNoJsonFile() {
        Path json = dir.resolve("bench.json");
        for (String[] args : new String[][] {
            {"bench", "--model", "minilm", "--runs", "0", "--json", json.toString()},
            {"bench", "--model", "no-such-model", "--json", json.toString()},
            {"bench", "--model", "minilm", "--batch", "-1", "--json", json.toString()},
            {"bench", "--json", json.toString()}
        }) {
            assertEquals(2, cli.run(args), String.join(" ", args) + ": " + cli.err());
            assertEquals(1, cli.err().lines().count(), cli.err());
            assertFalse(Files.exists(json));
        }
    }
}
