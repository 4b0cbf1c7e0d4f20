package dev.sparseinfer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.sparseinfer.engine.backend.cpu.CpuKernelProvider;
import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.io.packed.PackedModel;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.models.ModelRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code demo} end to end on a small random BERT that reads text with MiniLM's tokenizer (MiniLM itself would take
 * minutes to prune): every variant built once, benched, compared with dense on the user's texts or on both held-out
 * sets, reported; a distilled variant shown once the printed distill command has written it; and clean refusals.
 */
class DemoCommandTest {

    /** MiniLM's vocabulary and positions, but 16 wide, one layer: pruning and benching take seconds. */
    private static final BertConfig CONFIG = new BertConfig(30522, 16, 1, 4, 28, 512, 2, 1e-12, BertConfig.GELU);

    @TempDir
    Path dir;

    private final CommandLineRun cli = new CommandLineRun();

    private Path tinyModel(long seed) throws IOException {
        String tokenizer;
        try (InputStream in = ModelRegistry.class
                .getClassLoader()
                .getResourceAsStream(ModelRegistry.MINILM.tokenizer().resource())) {
            tokenizer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Path model = dir.resolve("tiny.safetensors");
        PackedModel.write(
                new LoadedModel(RandomBert.weights(CONFIG, new Random(seed)), tokenizer, "tiny"),
                "{\"source\":\"tiny\"}",
                model);
        return model;
    }

    @Test
    void buildsBenchesAndReportsEveryVariantThenReusesTheCache() throws IOException {
        long seed = Seeds.fresh();
        Path model = tinyModel(seed);
        Path texts = Files.writeString(
                dir.resolve("texts.txt"),
                IntStream.range(0, 12)
                        .mapToObj(i -> "sentence number " + i + " is about "
                                + (i % 3 == 0 ? "cats" : i % 3 == 1 ? "the sea" : "trains"))
                        .collect(Collectors.joining("\n")));
        Path json = dir.resolve("demo.json");
        Path report = dir.resolve("report");
        String[] args = {
            "demo",
            "--model",
            model.toString(),
            "--method",
            "magnitude",
            "--input",
            texts.toString(),
            "--warmup",
            "0",
            "--runs",
            "1",
            "--threads",
            "1",
            "--json",
            json.toString(),
            "--report",
            report.toString()
        };

        assertEquals(0, cli.run(args), cli.err());
        assertEquals(5, count(cli.err(), "sparseinfer: built "), "seed " + seed + ": " + cli.err());
        assertTrue(cli.err().contains("backends: cpu"), cli.err());
        assertTrue(cli.out().contains("median and p90 over 12 samples"), cli.out());
        assertTrue(
                cli.out().contains("2:4 on cpu runs the dense kernels"),
                "the 2:4 rows' speed is explained: " + cli.out());
        for (String label : new String[] {
            "dense fp32", "50% unstructured (CSR)", "90% unstructured (CSR)", "2:4 ", "int8 w8a8", "2:4 + int8 w8a8"
        }) {
            assertTrue(cli.out().contains(label), label + " missing: " + cli.out());
        }
        assertTrue(cli.out().contains(" cosine  top-10"), "the user's texts are the one quality set: " + cli.out());
        assertFalse(cli.out().contains("distilled"), "no distilled variant is in the cache yet: " + cli.out());
        String twoFourDistill = distillCommand(cli.err(), "no 2:4 distilled in the cache");
        String unstructuredDistill = distillCommand(cli.err(), "no 90% unstructured distilled in the cache");
        assertTrue(
                twoFourDistill.startsWith("sparseinfer distill --model " + model + " --pattern 2:4 --start "),
                twoFourDistill);
        assertTrue(
                unstructuredDistill.contains(" --pattern unstructured --sparsity 0.9 --start "), unstructuredDistill);
        assertTrue(twoFourDistill.contains(" --minutes " + DemoCommand.DISTILL_MINUTES + " --out "), twoFourDistill);
        assertTrue(
                unstructuredDistill.contains(" --minutes " + DemoCommand.DISTILL_MINUTES + " --out "),
                unstructuredDistill);

        JsonObject root = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals("demo", root.get("kind").getAsString());
        JsonArray results = root.getAsJsonArray("results");
        int bf16 = CpuKernelProvider.selection().nativeBf16() ? 1 : 0;
        assertEquals(6 + bf16, results.size(), root.toString());
        if (bf16 == 1) {
            JsonObject row = results.get(1).getAsJsonObject();
            assertEquals("dense-bf16", row.get("variant").getAsString(), "after dense, where bf16 runs");
            assertEquals(1.0, row.get("cosine").getAsDouble(), 1e-3, "bf16 compute stays close to fp32: " + row);
            assertEquals(
                    results.get(0).getAsJsonObject().get("linear_bytes").getAsLong() / 2,
                    row.get("linear_bytes").getAsLong());
        }
        JsonObject dense = results.get(0).getAsJsonObject();
        assertEquals(1.0, dense.get("speedup").getAsDouble(), 1e-12);
        assertEquals(1.0, dense.get("cosine").getAsDouble(), 1e-6);
        assertEquals(1.0, dense.get("top10_agreement").getAsDouble(), 1e-12);
        long denseBytes = dense.get("linear_bytes").getAsLong();
        for (int i = 1; i < results.size(); i++) {
            JsonObject r = results.get(i).getAsJsonObject();
            double cosine = r.get("cosine").getAsDouble();
            assertTrue(
                    cosine > -1 && cosine < 1 - 1e-7, "seed " + seed + ": a variant cannot equal dense exactly: " + r);
            double agreement = r.get("top10_agreement").getAsDouble();
            assertTrue(agreement >= 0 && agreement <= 1, r.toString());
            assertEquals(12, r.get("samples").getAsInt());
            assertEquals(
                    dense.get("median_ms").getAsDouble() / r.get("median_ms").getAsDouble(),
                    r.get("speedup").getAsDouble(),
                    1e-9);
            JsonObject quality = r.getAsJsonObject("quality");
            assertEquals(List.of("texts.txt"), List.copyOf(quality.keySet()), r.toString());
            assertEquals(
                    cosine, quality.getAsJsonObject("texts.txt").get("cosine").getAsDouble(), 0, r.toString());
        }
        assertTrue(
                results.get(4 + bf16).getAsJsonObject().get("linear_bytes").getAsLong() < denseBytes / 3,
                "int8 is a quarter of fp32");

        String page = Files.readString(report.resolve("demo.md"));
        assertTrue(page.contains("| 2:4 + int8 w8a8 |"));
        assertFalse(page.contains(".svg)"), "the page links only the PNG charts, which are committed: " + page);
        for (String chart : new String[] {"demo-speedup", "demo-quality"}) {
            assertTrue(page.contains("(" + chart + ".png)"), chart);
            byte[] png = Files.readAllBytes(report.resolve(chart + ".png"));
            assertEquals("PNG", new String(Arrays.copyOfRange(png, 1, 4), StandardCharsets.US_ASCII), chart);
            assertTrue(Files.readString(report.resolve(chart + ".svg")).contains("<svg"), chart);
        }

        // The printed command, one step long instead of an hour, writes the file the next run picks up.
        List<String> distill = new ArrayList<>(List.of(twoFourDistill.split(" ")));
        distill.removeFirst();
        int minutes = distill.indexOf("--minutes");
        distill.subList(minutes, minutes + 2).clear();
        distill.addAll(List.of(
                "--steps", "1", "--batch", "3", "--corpus", texts.toString(), "--eval-every", "0", "--threads", "1"));
        assertEquals(0, cli.run(distill.toArray(String[]::new)), cli.err());

        String[] heldOutSets = Stream.of(args)
                .filter(a -> !a.equals("--input") && !a.equals(texts.toString()))
                .toArray(String[]::new);
        assertEquals(0, cli.run(heldOutSets), cli.err());
        assertEquals(
                List.of("2:4 distilled + int8 w8a8"),
                cli.err()
                        .lines()
                        .filter(l -> l.startsWith("sparseinfer: built "))
                        .map(l -> l.substring("sparseinfer: built ".length(), l.indexOf(" in ")))
                        .toList(),
                "the second run reuses the cache and quantises only the new distilled model: " + cli.err());
        assertFalse(cli.err().contains("no 2:4 distilled"), cli.err());
        assertTrue(cli.err().contains("no 90% unstructured distilled"), cli.err());
        assertTrue(cli.out().contains("2:4 distilled "), "the distilled row is in the table: " + cli.out());
        assertTrue(cli.out().contains("median and p90 over 240 samples"), "heldout is timed: " + cli.out());
        assertTrue(
                cli.out().contains("cos heldout cos fortunes top-10 heldout top-10 fortunes"),
                "both held-out sets' cosines side by side: " + cli.out());
        assertTrue(cli.out().contains("heldout (240 texts, the timed set) and fortunes (300 texts"), cli.out());
        results =
                JsonParser.parseString(Files.readString(json)).getAsJsonObject().getAsJsonArray("results");
        assertEquals(8 + bf16, results.size(), results.toString());
        JsonObject distilled = results.get(6 + bf16).getAsJsonObject();
        assertEquals("2of4-distilled", distilled.get("variant").getAsString());
        assertEquals(
                "2of4-distilled-w8a8",
                results.get(7 + bf16).getAsJsonObject().get("variant").getAsString());
        for (JsonElement e : results) {
            JsonObject quality = e.getAsJsonObject().getAsJsonObject("quality");
            assertEquals(List.of("heldout", "fortunes"), List.copyOf(quality.keySet()), e.toString());
            assertEquals(300, quality.getAsJsonObject("fortunes").get("texts").getAsInt());
            double fortunes = quality.getAsJsonObject("fortunes").get("cosine").getAsDouble();
            assertTrue(fortunes > -1 && fortunes <= 1 + 1e-6, "seed " + seed + ": " + e);
        }
        assertEquals(
                1.0,
                results.get(0)
                        .getAsJsonObject()
                        .getAsJsonObject("quality")
                        .getAsJsonObject("fortunes")
                        .get("cosine")
                        .getAsDouble(),
                1e-6,
                "dense agrees with itself on fortunes");
        assertTrue(
                Files.readString(report.resolve("demo.md"))
                        .contains("| cos heldout | cos fortunes | top-10 heldout | top-10 fortunes |"),
                "the report has both sets' columns");
    }

    /** The distill command printed after {@code reason} on one stderr line. */
    private static String distillCommand(String err, String reason) {
        String line = err.lines()
                .filter(l -> l.startsWith("sparseinfer: " + reason + "; "))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no line for '" + reason + "' in: " + err));
        return line.substring(line.indexOf("sparseinfer distill "));
    }

    @Test
    void badOptionsEndInOneLineWithExitTwo() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        assertRefused("--runs", "demo", "--runs", "0");
        assertRefused("unknown model 'no-such-model'", "demo", "--model", "no-such-model");
        assertRefused("unknown method 'obs'", "demo", "--method", "obs");
        assertRefused(
                "--report: cannot write to " + file.resolve("report"),
                "demo",
                "--report",
                file.resolve("report").toString());
        assertRefused("--calibration-texts", "demo", "--calibration-texts", "x");
        assertRefused("Unknown option", "demo", "--bogus");
    }

    private void assertRefused(String expected, String... args) {
        assertEquals(2, cli.run(args), cli.err());
        assertEquals(1, cli.err().lines().count(), cli.err());
        assertTrue(cli.err().contains(expected), expected + " not in: " + cli.err());
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
            n++;
        }
        return n;
    }
}
