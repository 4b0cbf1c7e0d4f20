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
     * One variant on one backend. Times are milliseconds per text; cosine and neighbour agreement are against the
     * dense model on the same backend.
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
            double cosine,
            double neighbourAgreement,
            int samples) {}

    /**
     * @param model   what was compared, e.g. "minilm"
     * @param recipe  how the pruned variants were made
     * @param backends which backends ran and why no faster one did
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
                        + " and 3 s, then %d timed pass(es): median and p90 over %d samples",
                setup.texts(),
                setup.warmup(),
                setup.passes(),
                samples());
    }

    public void print(PrintWriter out) {
        out.printf(Locale.ROOT, "%s; variants: %s%n", setup.model(), setup.recipe());
        out.println(setup.backends());
        out.println(timingLine());
        out.printf(
                Locale.ROOT,
                "%-24s %12s %-38s %10s %10s %8s %9s %7s%n",
                "format",
                "linear MiB",
                "backend",
                "median ms",
                "p90 ms",
                "speedup",
                "cosine",
                "top-10");
        for (Row r : rows) {
            out.printf(
                    Locale.ROOT,
                    "%-24s %12.1f %-38s %10.3f %10.3f %7.2fx %9.4f %7.3f%n",
                    r.label(),
                    mib(r.linearBytes()),
                    r.backend(),
                    r.medianMs(),
                    r.p90Ms(),
                    r.speedup(),
                    r.cosine(),
                    r.neighbourAgreement());
        }
        out.println(
                "speedup: dense median / variant median on the same backend; cosine: mean over texts of cos(dense, variant);"
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
            o.addProperty("cosine", r.cosine());
            o.addProperty("top10_agreement", r.neighbourAgreement());
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
        md.append(
                "| format | linear MiB | backend | median ms | p90 ms | speedup | cosine to dense | top-10 agreement |\n");
        md.append("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |\n");
        for (Row r : rows) {
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %.1f | %s | %.3f | %.3f | %.2f× | %.4f | %.3f |%n",
                    r.label(),
                    mib(r.linearBytes()),
                    r.backend(),
                    r.medianMs(),
                    r.p90Ms(),
                    r.speedup(),
                    r.cosine(),
                    r.neighbourAgreement()));
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
        rows.forEach(r -> backends.add(r.backend()));
        for (String backend : backends) {
            List<Double> speedups = new ArrayList<>();
            for (String label : labels()) {
                speedups.add(rows.stream()
                        .filter(r -> r.backend().equals(backend) && r.label().equals(label))
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
                .title(setup.model() + ": agreement with the dense model (" + setup.texts() + " texts)")
                .xAxisTitle("format")
                .yAxisTitle("agreement with dense (1 = identical)")
                .build();
        style(chart);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        String first = rows.getFirst().backend();
        List<Row> oneBackend =
                rows.stream().filter(r -> r.backend().equals(first)).toList();
        chart.addSeries(
                "mean cosine to dense",
                labels(),
                oneBackend.stream().map(Row::cosine).toList());
        chart.addSeries(
                "top-10 neighbour agreement",
                labels(),
                oneBackend.stream().map(Row::neighbourAgreement).toList());
        return chart;
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
