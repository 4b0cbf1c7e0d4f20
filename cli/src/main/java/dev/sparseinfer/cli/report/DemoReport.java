package dev.sparseinfer.cli.report;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.sparseinfer.engine.backend.cpu.CpuBackend;
import dev.sparseinfer.models.evaluate.MachineInfo;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler;

/** What {@code demo} found: one row per variant and backend, as a console table, JSON and a Markdown report. */
public final class DemoReport {

    /**
     * One variant on one backend. Times are milliseconds per text, on the first text set; quality is against the dense
     * model on the same backend, one entry per text set, the timed set first.
     */
    public record Row(
            String variant,
            String label,
            long linearBytes,
            String backend,
            int threads,
            double medianMs,
            double p90Ms,
            double speedup,
            List<Quality> quality,
            int samples) {

        public Row {
            quality = List.copyOf(quality);
            if (quality.isEmpty()) {
                throw new IllegalArgumentException("a row needs the quality on at least the timed set");
            }
        }

        /** Quality on the set that was also timed. */
        public Quality timed() {
            return quality.getFirst();
        }
    }

    /**
     * Agreement with the dense model on one set of texts.
     *
     * @param set                its name, e.g. {@code heldout}
     * @param cosine             mean over texts of cos(dense, variant)
     * @param neighbourAgreement mean overlap of each text's 10 nearest other texts
     */
    public record Quality(String set, int texts, double cosine, double neighbourAgreement) {}

    /**
     * @param model   what was compared, e.g. "minilm"
     * @param recipe  how the pruned variants were made
     * @param backends which backends ran and why no faster one did
     * @param texts   how many texts were timed (the first quality set)
     */
    public record Setup(String model, String recipe, String backends, int texts, int warmup, int passes) {}

    private final Setup setup;
    private final List<Row> rows = new ArrayList<>();

    public DemoReport(Setup setup) {
        this.setup = setup;
    }

    public void add(Row row) {
        rows.add(row);
    }

    private int samples() {
        return rows.isEmpty() ? 0 : rows.getFirst().samples();
    }

    private String timingLine() {
        return String.format(
                Locale.ROOT,
                "%d texts at batch 1 (tokenisation excluded); per variant a warm-up of at least %d pass(es)"
                        + " and 3 s, then %d timed pass(es), taken by the variants in turn: median and p90 over %d"
                        + " samples",
                setup.texts(),
                setup.warmup(),
                setup.passes(),
                samples());
    }

    /** The quality sets' names, in the rows' order; one set means the texts were the user's. */
    private List<String> sets() {
        return rows.isEmpty()
                ? List.of()
                : rows.getFirst().quality().stream().map(Quality::set).toList();
    }

    /** The quality column headers: each set's cosine side by side, then each set's top-10 agreement. */
    private List<String> qualityHeaders() {
        List<String> sets = sets();
        if (sets.size() == 1) {
            return List.of("cosine", "top-10");
        }
        List<String> headers = new ArrayList<>();
        sets.forEach(set -> headers.add("cos " + set));
        sets.forEach(set -> headers.add("top-10 " + set));
        return headers;
    }

    /** A row's quality figures in {@link #qualityHeaders()}' order. */
    private static List<String> qualityCells(Row r) {
        List<String> cells = new ArrayList<>();
        r.quality().forEach(q -> cells.add(String.format(Locale.ROOT, "%.4f", q.cosine())));
        r.quality().forEach(q -> cells.add(String.format(Locale.ROOT, "%.3f", q.neighbourAgreement())));
        return cells;
    }

    /** Which texts each quality figure is over, when there is more than the timed set. */
    private String setsLine() {
        List<Quality> quality = rows.getFirst().quality();
        StringBuilder line = new StringBuilder("quality against dense on ");
        for (int i = 0; i < quality.size(); i++) {
            Quality q = quality.get(i);
            line.append(i == 0 ? "" : i == quality.size() - 1 ? " and " : ", ")
                    .append(q.set())
                    .append(" (")
                    .append(q.texts())
                    .append(" texts")
                    .append(i == 0 ? ", the timed set" : ", embedded once per variant")
                    .append(")");
        }
        return line.toString();
    }

    public void print(PrintWriter out) {
        out.printf(Locale.ROOT, "%s; variants: %s%n", setup.model(), setup.recipe());
        out.println(setup.backends());
        out.println(timingLine());
        if (sets().size() > 1) {
            out.println(setsLine());
        }
        List<String> headers = qualityHeaders();
        StringBuilder header = new StringBuilder(String.format(
                Locale.ROOT,
                "%-26s %12s %-38s %10s %10s %8s",
                "format",
                "linear MiB",
                "backend",
                "median ms",
                "p90 ms",
                "speedup"));
        headers.forEach(h -> header.append(String.format(Locale.ROOT, " %" + width(h) + "s", h)));
        out.println(header);
        for (Row r : rows) {
            StringBuilder line = new StringBuilder(String.format(
                    Locale.ROOT,
                    "%-26s %12.1f %-38s %10.3f %10.3f %7.2fx",
                    r.label(),
                    mib(r.linearBytes()),
                    r.backend(),
                    r.medianMs(),
                    r.p90Ms(),
                    r.speedup()));
            List<String> cells = qualityCells(r);
            for (int i = 0; i < cells.size(); i++) {
                line.append(String.format(Locale.ROOT, " %" + width(headers.get(i)) + "s", cells.get(i)));
            }
            out.println(line);
        }
        out.println(
                "speedup: dense median / variant median on the same backend; cos: mean over texts of cos(dense, variant);"
                        + " top-10: mean overlap of each text's 10 nearest other texts");
        if (twoFourRanOnCpu()) {
            out.println(CpuBackend.TWO_FOUR_KERNELS);
        }
        out.flush();
    }

    /** Whether a 2:4 variant's row was measured on the CPU backend, whose 2:4 speed is the dense kernels'. */
    private boolean twoFourRanOnCpu() {
        return rows.stream()
                .anyMatch(r -> r.label().startsWith("2:4") && r.backend().startsWith("cpu"));
    }

    private static int width(String header) {
        return Math.max(7, header.length());
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    public String json() {
        JsonObject root = new JsonObject();
        root.addProperty("kind", "demo");
        JsonObject machine = new JsonObject();
        MachineInfo.describe().forEach(machine::addProperty);
        root.add("machine", machine);
        root.addProperty("model", setup.model());
        root.addProperty("recipe", setup.recipe());
        root.addProperty("texts", setup.texts());
        root.addProperty("batch", 1);
        root.addProperty("warmup_passes", setup.warmup());
        root.addProperty("timed_passes", setup.passes());
        JsonArray results = new JsonArray();
        for (Row r : rows) {
            JsonObject o = new JsonObject();
            o.addProperty("variant", r.variant());
            o.addProperty("format", r.label());
            o.addProperty("backend", r.backend());
            o.addProperty("threads", r.threads());
            o.addProperty("linear_bytes", r.linearBytes());
            o.addProperty("median_ms", r.medianMs());
            o.addProperty("p90_ms", r.p90Ms());
            o.addProperty("speedup", r.speedup());
            o.addProperty("cosine", r.timed().cosine());
            o.addProperty("top10_agreement", r.timed().neighbourAgreement());
            JsonObject quality = new JsonObject();
            for (Quality q : r.quality()) {
                JsonObject set = new JsonObject();
                set.addProperty("texts", q.texts());
                set.addProperty("cosine", q.cosine());
                set.addProperty("top10_agreement", q.neighbourAgreement());
                quality.add(q.set(), set);
            }
            o.add("quality", quality);
            o.addProperty("samples", r.samples());
            results.add(o);
        }
        root.add("results", results);
        return new GsonBuilder().setPrettyPrinting().create().toJson(root) + "\n";
    }

    /** {@code demo.md} with the table, and two charts: speedup, and agreement with dense, per variant and backend. */
    public void writeTo(ReportDirectory dir) throws IOException {
        ChartFiles.save(dir, "demo-speedup", speedupChart());
        ChartFiles.save(dir, "demo-quality", qualityChart());
        StringBuilder md = new StringBuilder();
        md.append("# SparseInfer demo: ").append(setup.model()).append("\n\n");
        md.append("Machine: ").append(MachineInfo.describe()).append("\n\n");
        md.append("Variants made by ").append(setup.recipe()).append(".\n\n");
        md.append(setup.backends()).append("\n\n");
        md.append(timingLine()).append(".\n\n");
        if (sets().size() > 1) {
            md.append(setsLine()).append(".\n\n");
        }
        List<String> headers = qualityHeaders();
        md.append("| format | linear MiB | backend | median ms | p90 ms | speedup | ")
                .append(String.join(" | ", headers))
                .append(" |\n");
        md.append("| --- | ---: | --- | ---: | ---: | ---: |")
                .append(" ---: |".repeat(headers.size()))
                .append("\n");
        for (Row r : rows) {
            md.append(String.format(
                            Locale.ROOT,
                            "| %s | %.1f | %s | %.3f | %.3f | %.2f× | ",
                            r.label(),
                            mib(r.linearBytes()),
                            r.backend(),
                            r.medianMs(),
                            r.p90Ms(),
                            r.speedup()))
                    .append(String.join(" | ", qualityCells(r)))
                    .append(" |\n");
        }
        if (twoFourRanOnCpu()) {
            md.append("\n").append(CpuBackend.TWO_FOUR_KERNELS).append(".\n");
        }
        // The page links the PNG charts only: the SVG twins are written beside them but not committed.
        md.append("\n![speedup over dense](demo-speedup.png)\n\n![agreement with dense](demo-quality.png)\n");
        dir.write("demo.md", md.toString());
    }

    private List<String> labels() {
        Set<String> labels = new LinkedHashSet<>();
        rows.forEach(r -> labels.add(r.label()));
        return List.copyOf(labels);
    }

    private CategoryChart speedupChart() {
        CategoryChart chart = new CategoryChartBuilder()
                .width(1000)
                .height(560)
                .title(setup.model() + ": latency speedup over dense (batch 1, median)")
                .xAxisTitle("format")
                .yAxisTitle("speedup over dense fp32 (×, higher is faster)")
                .build();
        style(chart);
        Set<String> backends = new LinkedHashSet<>();
        rows.forEach(r -> backends.add(backendName(r)));
        for (String backend : backends) {
            List<Double> speedups = new ArrayList<>();
            for (String label : labels()) {
                speedups.add(rows.stream()
                        .filter(r -> backendName(r).equals(backend) && r.label().equals(label))
                        .mapToDouble(Row::speedup)
                        .findFirst()
                        .orElse(0));
            }
            chart.addSeries(backend, labels(), speedups);
        }
        return chart;
    }

    private CategoryChart qualityChart() {
        CategoryChart chart = new CategoryChartBuilder()
                .width(1000)
                .height(560)
                .title(setup.model() + ": agreement with the dense model (" + String.join(", ", sets()) + ")")
                .xAxisTitle("format")
                .yAxisTitle("agreement with dense (1 = identical)")
                .build();
        style(chart);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        // One bar per format: the first backend's row of each (quality barely depends on the backend).
        List<Row> oneBackend = labels().stream()
                .map(label -> rows.stream()
                        .filter(r -> r.label().equals(label))
                        .findFirst()
                        .orElseThrow())
                .toList();
        List<String> sets = sets();
        for (int i = 0; i < sets.size(); i++) {
            int set = i;
            chart.addSeries(
                    "mean cosine, " + sets.get(set),
                    labels(),
                    oneBackend.stream().map(r -> r.quality().get(set).cosine()).toList());
        }
        for (int i = 0; i < sets.size(); i++) {
            int set = i;
            chart.addSeries(
                    "top-10 agreement, " + sets.get(set),
                    labels(),
                    oneBackend.stream()
                            .map(r -> r.quality().get(set).neighbourAgreement())
                            .toList());
        }
        return chart;
    }

    /** The backend without its details, which differ between rows of one backend (e.g. bf16 compute). */
    private static String backendName(Row row) {
        int space = row.backend().indexOf(' ');
        return space < 0 ? row.backend() : row.backend().substring(0, space);
    }

    private static void style(CategoryChart chart) {
        CategoryStyler styler = chart.getStyler();
        // Below the plot, so it never hides a bar; the format names are long, so they are tilted to fit.
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendLayout(Styler.LegendLayout.Horizontal);
        styler.setXAxisLabelRotation(20);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setLabelsVisible(true);
        styler.setLabelsFontColorAutomaticEnabled(false);
        styler.setLabelsFontColor(Color.BLACK);
        styler.setDecimalPattern("0.00");
    }
}
