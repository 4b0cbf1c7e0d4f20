package dev.sparseinfer.bench.gpu;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.sparseinfer.cuda.CudaAvailability;
import dev.sparseinfer.cuda.CudaBackend;
import dev.sparseinfer.cuda.CudaProbe;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.backend.ActivationFunction;
import dev.sparseinfer.engine.backend.Activations;
import dev.sparseinfer.engine.backend.PreparedLinear;
import dev.sparseinfer.engine.backend.TokenBatch;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.format.LinearWeights;
import dev.sparseinfer.models.evaluate.RandomLayers;
import dev.sparseinfer.models.evaluate.RandomLayers.Format;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * One linear layer per weight format on the CUDA backend, through the same {@code prepare}/{@code linear} path a
 * model runs: dense (cuBLAS), CSR at 50 and 90 % (cuSPARSE), 2:4 (our mma.sp kernels), w8a8 (our dp4a kernel), at
 * 384x1536, 768x3072 and 4096x4096 ({@code in x out}) for 1, 16, 128 and 2048 tokens. Each configuration is timed
 * with CUDA events around each call, after a warm-up, and reported as the median of {@value #RUNS} calls. The
 * weights are uploaded several times and the inputs drawn several times, and calls rotate through the copies, so
 * that at least {@value #ROTATION_MIB} MiB are touched in turn and the L2 cache (50-60 MB) cannot hold them.
 *
 * <p>Reported: dense-equivalent TFLOP/s ({@code 2 * tokens * in * out / time}, whatever the format skips) and GB/s
 * of the compulsory traffic (the weights as stored on the device, the fp32 input read, the fp32 output written),
 * next to the device-to-device copy bandwidth (bytes read plus written), the bound of a memory-bound call.
 *
 * <p>{@code --json FILE} also writes the results as JSON; {@code --quick} runs the smallest shape only, without
 * 2048 tokens. Without a usable GPU it prints the probe's one-line reason and exits 1.
 */
public final class GpuKernelBenchmark {

    static final int RUNS = 50;
    static final int ROTATION_MIB = 256;
    private static final int WARMUP_RUNS = 10;
    private static final int MAX_COPIES = 256;
    private static final long COPY_BYTES = 256L << 20;
    private static final String USAGE = "usage: GpuKernelBenchmark [--quick] [--json FILE]";

    private static final List<Format> FORMATS = List.of(
            Format.dense(false),
            Format.csr(0.5, false),
            Format.csr(0.9, false),
            Format.twoFour(false),
            Format.dense(true));
    private static final List<int[]> SHAPES =
            List.of(new int[] {384, 1536}, new int[] {768, 3072}, new int[] {4096, 4096});
    private static final int[] TOKENS = {1, 16, 128, 2048};
    private static final int[] QUICK_TOKENS = {1, 16, 128};

    /** One configuration's timing. */
    record Result(String format, int in, int out, int tokens, double medianMillis, long weightBytes) {

        double teraflops() {
            return 2.0 * tokens * in * out / (medianMillis * 1e-3) / 1e12;
        }

        double gigabytesPerSecond() {
            return (weightBytes + 4.0 * tokens * in + 4.0 * tokens * out) / (medianMillis * 1e-3) / 1e9;
        }
    }

    private GpuKernelBenchmark() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        boolean quick = false;
        Path json = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--json" -> {
                    if (i + 1 == args.length) {
                        err.println("GpuKernelBenchmark: --json needs a file (" + USAGE + ")");
                        return 2;
                    }
                    json = Path.of(args[++i]);
                }
                default -> {
                    err.println("GpuKernelBenchmark: unknown argument '" + args[i] + "' (" + USAGE + ")");
                    return 2;
                }
            }
        }
        CudaAvailability probe = CudaProbe.system();
        if (!probe.available()) {
            err.println(probe.reason());
            return 1;
        }
        try (CudaBackend backend = CudaBackend.open(probe)) {
            double copyGigabytesPerSecond = copyBandwidth(backend);
            out.printf(
                    Locale.ROOT,
                    "%s%ndevice-to-device copy: %.0f GB/s (read + written)%n",
                    backend.description(),
                    copyGigabytesPerSecond);
            out.printf(
                    Locale.ROOT,
                    "%-8s %11s %7s %11s %9s %9s%n",
                    "format",
                    "in x out",
                    "tokens",
                    "median ms",
                    "TFLOP/s",
                    "GB/s");
            List<Result> results = new ArrayList<>();
            for (int[] shape : quick ? SHAPES.subList(0, 1) : SHAPES) {
                for (Format format : FORMATS) {
                    for (int tokens : quick ? QUICK_TOKENS : TOKENS) {
                        Result r = measure(backend, format, shape[0], shape[1], tokens);
                        results.add(r);
                        out.printf(
                                Locale.ROOT,
                                "%-8s %11s %7d %11.4f %9.2f %9.0f%n",
                                r.format(),
                                r.in() + "x" + r.out(),
                                r.tokens(),
                                r.medianMillis(),
                                r.teraflops(),
                                r.gigabytesPerSecond());
                    }
                }
            }
            if (json != null) {
                Files.writeString(
                        json, json(backend.description(), copyGigabytesPerSecond, results), StandardCharsets.UTF_8);
                err.println("GpuKernelBenchmark: wrote " + json);
            }
            return 0;
        } catch (SparseInferException e) {
            err.println(e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("GpuKernelBenchmark: cannot write " + json + ": " + e.getMessage());
            return 1;
        }
    }

    private static double copyBandwidth(CudaBackend backend) {
        double[] millis = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            millis[i] = backend.copyMillis(COPY_BYTES);
        }
        return 2.0 * COPY_BYTES / (median(millis) * 1e-3) / 1e9;
    }

    /**
     * Times one configuration inside its own pass, so the inputs it uploads are released for the next one. The
     * layer's weights stay on the device until the backend closes (a backend never drops a prepared layer).
     */
    private static Result measure(CudaBackend backend, Format format, int in, int out, int tokens) {
        Random random = new Random(1_000_003L * in + 31L * out + tokens);
        LinearWeights weights = RandomLayers.weights(format, random, out, in);
        Linear layer = new Linear(format.label(), weights, gaussian(random, out));
        TokenBatch unused = TokenBatch.pack(new int[][] {{0}}, new int[][] {{0}});
        return backend.pass(unused, () -> {
            long before = backend.deviceBytes();
            PreparedLinear first = backend.prepare(layer);
            long weightBytes = backend.deviceBytes() - before;
            long perCopy = weightBytes + 4L * tokens * in;
            int copies = (int) Math.clamp(((long) ROTATION_MIB << 20) / perCopy + 1, 1, MAX_COPIES);
            PreparedLinear[] layers = new PreparedLinear[copies];
            Activations[] inputs = new Activations[copies];
            layers[0] = first;
            for (int c = 0; c < copies; c++) {
                if (c > 0) {
                    layers[c] = backend.prepare(layer);
                }
                inputs[c] = backend.upload(gaussian(random, tokens * in), tokens, in);
            }
            Activations output = backend.allocate(tokens, out);
            for (int i = 0; i < WARMUP_RUNS; i++) {
                backend.linear(layers[i % copies], inputs[i % copies], ActivationFunction.NONE, output);
            }
            double[] millis = new double[RUNS];
            for (int i = 0; i < RUNS; i++) {
                PreparedLinear l = layers[i % copies];
                Activations x = inputs[i % copies];
                millis[i] = backend.deviceMillis(() -> backend.linear(l, x, ActivationFunction.NONE, output));
            }
            return new Result(format.label(), in, out, tokens, median(millis), weightBytes);
        });
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static float[] gaussian(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    static String json(String device, double copyGigabytesPerSecond, List<Result> results) {
        JsonObject root = new JsonObject();
        root.addProperty("device", device);
        root.addProperty("runs", RUNS);
        root.addProperty("copy_gb_per_s", copyGigabytesPerSecond);
        JsonArray rows = new JsonArray();
        for (Result r : results) {
            JsonObject row = new JsonObject();
            row.addProperty("format", r.format());
            row.addProperty("in", r.in());
            row.addProperty("out", r.out());
            row.addProperty("tokens", r.tokens());
            row.addProperty("median_ms", r.medianMillis());
            row.addProperty("weight_bytes", r.weightBytes());
            row.addProperty("dense_equivalent_tflops", r.teraflops());
            row.addProperty("gb_per_s", r.gigabytesPerSecond());
            rows.add(row);
        }
        root.add("results", rows);
        return new GsonBuilder().setPrettyPrinting().create().toJson(root) + "\n";
    }
}
