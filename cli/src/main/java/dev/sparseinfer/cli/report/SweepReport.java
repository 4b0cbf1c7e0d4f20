package dev.sparseinfer.cli.report;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.sparseinfer.models.evaluate.KernelSweep;
import dev.sparseinfer.models.evaluate.KernelSweep.Point;
import dev.sparseinfer.models.evaluate.MachineInfo;
import dev.sparseinfer.models.evaluate.RandomLayers.Format;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** What {@code bench sweep} found: speedups over dense per format, and CSR's crossover sparsity, per backend, shape and token count. */
public final class SweepReport {

    private static final Color[] SERIES_COLOURS = {
        new Color(0x1f77b4),
        new Color(0xd62728),
        new Color(0x2ca02c),
        new Color(0x9467bd),
        new Color(0xff7f0e),
        new Color(0x8c564b)
    };

    private final List<Point> points;
    private final int threads;
    private final int runs;

    public SweepReport(List<Point> points, int threads, int runs) {
        this.points = List.copyOf(points);
        this.threads = threads;
        this.runs = runs;
    }

    /** Points grouped by backend, shape and token count, in sweep order. */
    private Map<String, List<Point>> groups() {
        Map<String, List<Point>> groups = new LinkedHashMap<>();
        for (Point p : points) {
            groups.computeIfAbsent(p.backend() + " " + p.shape() + " " + p.tokens(), k -> new ArrayList<>())
                    .add(p);
        }
        return groups;
    }

    private String timingLine() {
        return String.format(
                Locale.ROOT,
                "%d thread(s); random weights at each format's exact sparsity; all kernels warmed up"
                        + " for at least 3 s first, then per configuration at least 2 untimed calls and 0.2 s; median and p90 over %d"
                        + " timed calls each; speedup = dense fp32 median / format median",
                threads,
                runs);
    }

    private static String crossoverText(Optional<Double> c, List<Point> group) {
        double lowest = group.stream()
                .filter(p -> p.format().kind() == Format.Kind.CSR)
                .mapToDouble(p -> p.format().sparsity())
                .min()
                .orElse(0);
        double highest = group.stream()
                .filter(p -> p.format().kind() == Format.Kind.CSR)
                .mapToDouble(p -> p.format().sparsity())
                .max()
                .orElse(0);
        if (c.isEmpty()) {
            return String.format(Locale.ROOT, "none up to %.0f%%", 100 * highest);
        }
        return c.get() <= lowest
                ? String.format(Locale.ROOT, "at or below %.0f%%", 100 * lowest)
                : String.format(Locale.ROOT, "%.0f%%", 100 * c.get());
    }

    public void print(PrintWriter out) {
        out.println(timingLine());
        for (Map.Entry<String, List<Point>> g : groups().entrySet()) {
            Point first = g.getValue().getFirst();
            out.printf(
                    Locale.ROOT,
                    "%n%s, %s (in x out), %d token(s): CSR beats dense from %s sparsity%n",
                    first.backend(),
                    first.shape(),
                    first.tokens(),
                    crossoverText(KernelSweep.crossover(g.getValue()), g.getValue()));
            out.printf(Locale.ROOT, "  %-14s %11s %11s %9s%n", "format", "median ms", "p90 ms", "speedup");
            for (Point p : g.getValue()) {
                out.printf(
                        Locale.ROOT,
                        "  %-14s %11.4f %11.4f %8.2fx%n",
                        p.format().label(),
                        p.medianMs(),
                        p.p90Ms(),
                        p.speedup());
            }
        }
        out.flush();
    }

    public String json() {
        JsonObject root = new JsonObject();
        root.addProperty("kind", "sweep");
        JsonObject machine = new JsonObject();
        MachineInfo.describe().forEach(machine::addProperty);
        root.add("machine", machine);
        root.addProperty("threads", threads);
        root.addProperty("timed_calls", runs);
        JsonArray results = new JsonArray();
        for (Point p : points) {
            JsonObject o = new JsonObject();
            o.addProperty("backend", p.backend());
            o.addProperty("shape", p.shape());
            o.addProperty("tokens", p.tokens());
            o.addProperty("format", p.format().label());
            o.addProperty("sparsity", p.format().sparsity());
            o.addProperty("median_ms", p.medianMs());
            o.addProperty("p90_ms", p.p90Ms());
            o.addProperty("speedup", p.speedup());
            o.addProperty("samples", p.samples());
            results.add(o);
        }
        root.add("results", results);
        JsonArray crossovers = new JsonArray();
        for (List<Point> g : groups().values()) {
            JsonObject o = new JsonObject();
            o.addProperty("backend", g.getFirst().backend());
            o.addProperty("shape", g.getFirst().shape());
            o.addProperty("tokens", g.getFirst().tokens());
            Optional<Double> c = KernelSweep.crossover(g);
            if (c.isPresent()) {
                o.addProperty("crossover_sparsity", c.get());
            } else {
                o.add("crossover_sparsity", com.google.gson.JsonNull.INSTANCE);
            }
            crossovers.add(o);
        }
        root.add("crossovers", crossovers);
        return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(root) + "\n";
    }

    /** {@code sweep.md}: the crossover table, one chart per shape (PNG linked, SVG beside it), and every measured point. */
    public void writeTo(ReportDirectory dir) throws IOException {
        StringBuilder md = new StringBuilder("# SparseInfer kernel sweep\n\n");
        md.append("Machine: ")
                .append(MachineInfo.describe())
                .append("\n\n")
                .append(timingLine())
                .append(".\n\n");
        md.append(
                "| backend | shape (in x out) | tokens | CSR beats dense from | 2:4 speedup | w8a8 speedup | 2:4 + w8a8 speedup |\n");
        md.append("| --- | --- | ---: | --- | ---: | ---: | ---: |\n");
        for (List<Point> g : groups().values()) {
            Point first = g.getFirst();
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %d | %s | %s | %s | %s |%n",
                    first.backend(),
                    first.shape(),
                    first.tokens(),
                    crossoverText(KernelSweep.crossover(g), g),
                    speedupOf(g, Format.twoFour(false)),
                    speedupOf(g, Format.dense(true)),
                    speedupOf(g, Format.twoFour(true))));
        }
        List<String> shapes = points.stream().map(Point::shape).distinct().toList();
        for (String shape : shapes) {
            String name = "sweep-" + shape;
            ChartFiles.save(dir, name, chart(shape));
            md.append("\n![speedup against sparsity, ")
                    .append(shape)
                    .append("](")
                    .append(name)
                    .append(".png)\n");
        }
        md.append(
                "\n| backend | shape | tokens | format | median ms | p90 ms | speedup |\n| --- | --- | ---: | --- | ---: | ---: | ---: |\n");
        for (Point p : points) {
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %d | %s | %.4f | %.4f | %.2f× |%n",
                    p.backend(),
                    p.shape(),
                    p.tokens(),
                    p.format().label(),
                    p.medianMs(),
                    p.p90Ms(),
                    p.speedup()));
        }
        dir.write("sweep.md", md.toString());
    }

    private static String speedupOf(List<Point> group, Format format) {
        return group.stream()
                .filter(p -> p.format().equals(format))
                .findFirst()
                .map(p -> String.format(Locale.ROOT, "%.2f×", p.speedup()))
                .orElse("–");
    }

    /**
     * Speedup against sparsity for one shape: CSR as solid lines (fp32) and dashed lines (w8a8), 2:4 as markers at
     * 50 % (filled fp32, open w8a8), one colour per backend and token count; the dotted line at 1 is break-even.
     */
    private XYChart chart(String shape) {
        XYChart chart = new XYChartBuilder()
                .width(900)
                .height(560)
                .title("Speedup over dense fp32, layer " + shape + " (in x out), " + threads + " thread(s)")
                .xAxisTitle("sparsity (% of weights removed)")
                .yAxisTitle("speedup over dense fp32 (×, higher is faster)")
                .build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setXAxisMin(45.0);
        chart.getStyler().setXAxisMax(100.0);
        chart.getStyler().setMarkerSize(9);
        List<Point> forShape =
                points.stream().filter(p -> p.shape().equals(shape)).toList();
        List<String> series = forShape.stream()
                .map(p -> p.backend() + ", " + p.tokens() + " tok")
                .distinct()
                .toList();
        for (int s = 0; s < series.size(); s++) {
            Color colour = SERIES_COLOURS[s % SERIES_COLOURS.length];
            String key = series.get(s);
            List<Point> mine = forShape.stream()
                    .filter(p -> (p.backend() + ", " + p.tokens() + " tok").equals(key))
                    .toList();
            line(chart, "CSR fp32, " + key, mine, false, colour, SeriesLines.SOLID);
            line(chart, "CSR w8a8, " + key, mine, true, colour, SeriesLines.DASH_DASH);
            marker(chart, "2:4 fp32, " + key, mine, Format.twoFour(false), colour, true);
            marker(chart, "2:4 w8a8, " + key, mine, Format.twoFour(true), colour, false);
        }
        XYSeries even = chart.addSeries("break-even (dense)", new double[] {45, 100}, new double[] {1, 1});
        even.setLineColor(Color.GRAY);
        even.setLineStyle(SeriesLines.DOT_DOT);
        even.setMarker(SeriesMarkers.NONE);
        return chart;
    }

    private static void line(
            XYChart chart, String name, List<Point> points, boolean int8, Color colour, BasicStroke stroke) {
        List<Point> csr = points.stream()
                .filter(p -> p.format().kind() == Format.Kind.CSR && p.format().int8() == int8)
                .sorted((a, b) ->
                        Double.compare(a.format().sparsity(), b.format().sparsity()))
                .toList();
        if (csr.isEmpty()) {
            return;
        }
        XYSeries s = chart.addSeries(
                name,
                csr.stream().map(p -> 100 * p.format().sparsity()).toList(),
                csr.stream().map(Point::speedup).toList());
        s.setLineColor(colour);
        s.setLineStyle(stroke);
        s.setMarkerColor(colour);
        s.setMarker(SeriesMarkers.CIRCLE);
    }

    private static void marker(
            XYChart chart, String name, List<Point> points, Format format, Color colour, boolean filled) {
        points.stream().filter(p -> p.format().equals(format)).findFirst().ifPresent(p -> {
            XYSeries s = chart.addSeries(name, new double[] {50}, new double[] {p.speedup()});
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(filled ? SeriesMarkers.DIAMOND : SeriesMarkers.TRIANGLE_UP);
            s.setMarkerColor(colour);
        });
    }
}
