package dev.sparseinfer.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's table, JSON and page: one quality column per held-out set, the timed set's kept where it always was. */
class DemoReportTest {

    @TempDir
    Path dir;

    private static DemoReport.Row row(String variant, String label, double speedup, DemoReport.Quality... quality) {
        return new DemoReport.Row(
                variant, label, 1 << 20, "cpu (avx2)", 2, 2.0 / speedup, 3.0, speedup, List.of(quality), 480);
    }

    private static DemoReport twoSets() {
        DemoReport report = new DemoReport(new DemoReport.Setup("minilm", "sparsegpt", "backends: cpu", 240, 1, 2));
        report.add(row(
                "dense",
                "dense fp32",
                1,
                new DemoReport.Quality("heldout", 240, 1, 1),
                new DemoReport.Quality("fortunes", 300, 1, 1)));
        report.add(row(
                "2of4-distilled",
                "2:4 distilled",
                1.5,
                new DemoReport.Quality("heldout", 240, 0.8849, 0.724),
                new DemoReport.Quality("fortunes", 300, 0.8713, 0.615)));
        return report;
    }

    @Test
    void tableShowsEachSetsCosineSideBySide() {
        StringWriter text = new StringWriter();
        twoSets().print(new PrintWriter(text));
        String table = text.toString();
        assertTrue(table.contains("cos heldout cos fortunes top-10 heldout top-10 fortunes"), table);
        assertTrue(
                table.contains("quality against dense on heldout (240 texts, the timed set) and fortunes (300 texts, "
                        + "embedded once per variant)"),
                table);
        String distilled = table.lines()
                .filter(l -> l.startsWith("2:4 distilled"))
                .findFirst()
                .orElseThrow();
        assertTrue(distilled.matches(".*1\\.50x +0\\.8849 +0\\.8713 +0\\.724 +0\\.615$"), distilled);
        assertTrue(table.contains("2:4 on cpu runs the dense kernels"), table);
    }

    @Test
    void jsonKeepsTheTimedSetsFiguresAndAddsEverySet() {
        JsonObject row = JsonParser.parseString(twoSets().json())
                .getAsJsonObject()
                .getAsJsonArray("results")
                .get(1)
                .getAsJsonObject();
        assertEquals(0.8849, row.get("cosine").getAsDouble(), 0);
        assertEquals(0.724, row.get("top10_agreement").getAsDouble(), 0);
        JsonObject fortunes = row.getAsJsonObject("quality").getAsJsonObject("fortunes");
        assertEquals(300, fortunes.get("texts").getAsInt());
        assertEquals(0.8713, fortunes.get("cosine").getAsDouble(), 0);
        assertEquals(0.615, fortunes.get("top10_agreement").getAsDouble(), 0);
        assertEquals(
                List.of("heldout", "fortunes"),
                List.copyOf(row.getAsJsonObject("quality").keySet()));
    }

    @Test
    void pageHasOneColumnPerSetAndMeasure() throws IOException {
        twoSets().writeTo(ReportDirectory.prepare(dir));
        String page = Files.readString(dir.resolve("demo.md"));
        assertTrue(
                page.contains(
                        "| format | linear MiB | backend | median ms | p90 ms | speedup | cos heldout | cos fortunes"
                                + " | top-10 heldout | top-10 fortunes |\n| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |"
                                + " ---: | ---: |\n"),
                page);
        assertTrue(
                page.contains(
                        "| 2:4 distilled | 1.0 | cpu (avx2) | 1.333 | 3.000 | 1.50× | 0.8849 | 0.8713 | 0.724 | 0.615 |"),
                page);
    }

    @Test
    void theUsersTextsAloneKeepTheSingleCosineColumn() {
        DemoReport report = new DemoReport(new DemoReport.Setup("minilm", "sparsegpt", "backends: cpu", 12, 1, 2));
        report.add(row("dense", "dense fp32", 1, new DemoReport.Quality("texts.txt", 12, 1, 1)));
        StringWriter text = new StringWriter();
        report.print(new PrintWriter(text));
        assertTrue(text.toString().contains("speedup  cosine  top-10"), text.toString());
        assertFalse(text.toString().contains("quality against dense on"), text.toString());
    }

    @Test
    void aRowNeedsTheTimedSetsQuality() {
        assertThrows(IllegalArgumentException.class, () -> row("dense", "dense fp32", 1));
    }
}
