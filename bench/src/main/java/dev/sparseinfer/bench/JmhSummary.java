package dev.sparseinfer.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Turns a JMH JSON result file ({@code -rf json}) of {@link LinearKernelBenchmark} and {@link FmaPeakBenchmark}
 * into a Markdown table: time per call, dense-equivalent GFLOP/s, fraction of the measured FMA peak (per thread),
 * and speedup over the dense layer at the same shape and tokens; with {@link PermuteCostBenchmark} in the file, also
 * what a permute + FMA costs in FMAs, and with {@link Int8ProductBenchmark} the multiply-add rate of each int8
 * route. With {@code --int8-peak GOPS} (from {@code bench/run int8-peak}), w8a8 rows also show their fraction of
 * that int8 peak, the one their native kernels can reach. Usage: {@code JmhSummary results.json [--int8-peak GOPS]}.
 */
public final class JmhSummary {

    private JmhSummary() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1 && !(args.length == 3 && args[1].equals("--int8-peak"))) {
            throw new IllegalArgumentException("usage: JmhSummary JMH-RESULTS.json [--int8-peak GOPS]");
        }
        double int8Peak = args.length == 3 ? Double.parseDouble(args[2]) : Double.NaN;
        JsonArray runs =
                JsonParser.parseString(Files.readString(Path.of(args[0]))).getAsJsonArray();
        double peak = FmaPeakBenchmark.FMAS_PER_CALL
                * 2.0
                * FmaPeakBenchmark.SPECIES.length()
                / (micros(runs, "FmaPeakBenchmark.fmaChains") * 1e3);
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "fp32 FMA peak of one core: %.1f GFLOP/s%n%n", peak));
        double permuteThenFma = micros(runs, "PermuteCostBenchmark.permuteThenFma");
        if (!Double.isNaN(permuteThenFma)) {
            b.append(String.format(
                    Locale.ROOT,
                    "a permute + FMA takes %.2f× an FMA's time (PermuteCostBenchmark)%n%n",
                    permuteThenFma / micros(runs, "PermuteCostBenchmark.fmaOnly")));
        }
        double fp32 = micros(runs, "Int8ProductBenchmark.fp32Fma");
        if (!Double.isNaN(fp32)) {
            b.append(String.format(
                    Locale.ROOT,
                    "int8 multiply-adds per ns (Int8ProductBenchmark): fp32 FMA %.1f,"
                            + " int16 vectors %.1f, C2's vpmaddwd loop %.1f%n%n",
                    fp32,
                    micros(runs, "Int8ProductBenchmark.int16Vectors"),
                    micros(runs, "Int8ProductBenchmark.c2MulAddLoop")));
        }
        if (!Double.isNaN(int8Peak)) {
            b.append(String.format(
                    Locale.ROOT, "int8 peak of one core (bench/run int8-peak): %.1f GOP/s%n%n", int8Peak));
        }
        b.append("| shape (in x out) | tokens | format | threads | µs per call | GFLOP/s (dense-equivalent) | of peak"
                + " | of int8 peak | vs dense |\n");
        b.append("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (JsonElement e : runs) {
            JsonObject run = e.getAsJsonObject();
            if (!run.get("benchmark").getAsString().endsWith("linear")) {
                continue;
            }
            JsonObject p = run.getAsJsonObject("params");
            String shape = p.get("shape").getAsString();
            int tokens = p.get("tokens").getAsInt();
            int threads = p.get("threads").getAsInt();
            String format = p.get("format").getAsString();
            double micros = run.getAsJsonObject("primaryMetric").get("score").getAsDouble();
            String[] dims = shape.split("x");
            double flops = 2.0 * tokens * Double.parseDouble(dims[0]) * Double.parseDouble(dims[1]);
            double gflops = flops / (micros * 1e3);
            double dense = denseMicros(runs, shape, tokens, threads);
            b.append(String.format(
                    Locale.ROOT,
                    "| %s | %d | %s | %d | %.1f | %.1f | %.0f%% | %s | %.2f× |%n",
                    shape,
                    tokens,
                    format,
                    threads,
                    micros,
                    gflops,
                    100 * gflops / (peak * threads),
                    format.contains("w8a8") && !Double.isNaN(int8Peak)
                            ? String.format(Locale.ROOT, "%.0f%%", 100 * gflops / (int8Peak * threads))
                            : "",
                    dense / micros));
        }
        System.out.print(b);
    }

    /**
     * The score of the benchmark method whose name ends with {@code name} (in its own unit: µs per call, or
     * multiply-adds per ns for {@link Int8ProductBenchmark}); NaN if the file does not have it.
     */
    private static double micros(JsonArray runs, String name) {
        for (JsonElement e : runs) {
            JsonObject run = e.getAsJsonObject();
            if (run.get("benchmark").getAsString().endsWith(name)) {
                return run.getAsJsonObject("primaryMetric").get("score").getAsDouble();
            }
        }
        return Double.NaN;
    }

    private static double denseMicros(JsonArray runs, String shape, int tokens, int threads) {
        for (JsonElement e : runs) {
            JsonObject run = e.getAsJsonObject();
            JsonObject p = run.getAsJsonObject("params");
            if (p != null
                    && run.get("benchmark").getAsString().endsWith("linear")
                    && p.get("format").getAsString().equals("dense")
                    && p.get("shape").getAsString().equals(shape)
                    && p.get("tokens").getAsInt() == tokens
                    && p.get("threads").getAsInt() == threads) {
                return run.getAsJsonObject("primaryMetric").get("score").getAsDouble();
            }
        }
        return Double.NaN;
    }
}
