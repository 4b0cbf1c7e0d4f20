package dev.sparseinfer.cli.report;

import dev.sparseinfer.models.evaluate.MachineInfo;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The results of one {@code bench} run, as a console table and as JSON. */
public final class BenchReport {

    /** One model on one backend. Times are milliseconds per text. */
    public record Row(
            String model,
            String backend,
            int threads,
            double medianMs,
            double p90Ms,
            double speedup,
            double cosine,
            double textsPerSecond,
            int samples) {}

    private final int texts;
    private final int batch;
    private final int passes;
    private final int warmup;
    private final List<Row> rows = new ArrayList<>();

    public BenchReport(int texts, int batch, int passes, int warmup) {
        this.texts = texts;
        this.batch = batch;
        this.passes = passes;
        this.warmup = warmup;
    }

    public void add(Row row) {
        rows.add(row);
    }

    public void print(PrintWriter out) {
        out.printf(
                Locale.ROOT,
                "%d texts, batch %d, warm-up of at least %d pass(es) and 3 s, then %d timed passes; medians and p90 over %d samples per model%n",
                texts,
                batch,
                warmup,
                passes,
                rows.isEmpty() ? 0 : rows.getFirst().samples());
        out.printf(
                Locale.ROOT,
                "%-40s %-36s %9s %9s %8s %8s %9s%n",
                "model",
                "backend",
                "median ms",
                "p90 ms",
                "speedup",
                "cosine",
                "texts/s");
        for (Row r : rows) {
            out.printf(
                    Locale.ROOT,
                    "%-40s %-36s %9.3f %9.3f %7.2fx %8.4f %9.1f%n",
                    shorten(r.model(), 40),
                    shorten(r.backend(), 36),
                    r.medianMs(),
                    r.p90Ms(),
                    r.speedup(),
                    r.cosine(),
                    r.textsPerSecond());
        }
        out.flush();
    }

    private static String shorten(String s, int width) {
        return s.length() <= width ? s : "…" + s.substring(s.length() - width + 1);
    }

    public String json() {
        StringBuilder b = new StringBuilder("{\"kind\":\"bench\",\"machine\":{");
        boolean first = true;
        for (Map.Entry<String, String> e : MachineInfo.describe().entrySet()) {
            b.append(first ? "" : ",").append(quote(e.getKey())).append(':').append(quote(e.getValue()));
            first = false;
        }
        b.append("},\"texts\":")
                .append(texts)
                .append(",\"batch\":")
                .append(batch)
                .append(",\"warmup_passes\":")
                .append(warmup)
                .append(",\"timed_passes\":")
                .append(passes)
                .append(",\"results\":[");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            b.append(i == 0 ? "" : ",")
                    .append(String.format(
                            Locale.ROOT,
                            "{\"model\":%s,\"backend\":%s,\"threads\":%d,\"median_ms\":%.4f,\"p90_ms\":%.4f,\"speedup\":%.4f,"
                                    + "\"cosine\":%.6f,\"texts_per_s\":%.2f,\"samples\":%d}",
                            quote(r.model()),
                            quote(r.backend()),
                            r.threads(),
                            r.medianMs(),
                            r.p90Ms(),
                            r.speedup(),
                            r.cosine(),
                            r.textsPerSecond(),
                            r.samples()));
        }
        return b.append("]}\n").toString();
    }

    public static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
