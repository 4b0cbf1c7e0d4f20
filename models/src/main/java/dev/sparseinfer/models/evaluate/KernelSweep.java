package dev.sparseinfer.models.evaluate;

import dev.sparseinfer.engine.backend.ActivationFunction;
import dev.sparseinfer.engine.backend.Activations;
import dev.sparseinfer.engine.backend.Backend;
import dev.sparseinfer.engine.backend.PreparedLinear;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.models.calibration.Progress;
import dev.sparseinfer.models.evaluate.RandomLayers.Format;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Kernel-level speed of one linear layer in every format against dense, on one backend, through the same
 * {@code prepare}/{@code linear} path the engine runs. The warm-up follows {@link LatencyBenchmark}'s discipline:
 * first every format's kernel runs for at least {@link LatencyBenchmark#MIN_WARMUP_SECONDS} in all, so the JIT
 * has compiled them before anything is timed; then each configuration gets its own untimed calls (caches, page
 * faults) before its timed ones.
 */
public final class KernelSweep {

    /** Untimed calls of each configuration before its timed ones; at least this long, too. */
    private static final int WARMUP_CALLS = 2;

    private static final long WARMUP_NANOS_PER_CONFIG = 200_000_000L;

    /**
     * One format at one shape and token count.
     *
     * @param speedup dense median / this median, same backend, shape and tokens
     * @param samples timed calls the median and p90 are over
     */
    public record Point(
            String backend,
            int in,
            int out,
            int tokens,
            Format format,
            double medianMs,
            double p90Ms,
            double speedup,
            int samples) {

        public String shape() {
            return in + "x" + out;
        }
    }

    /** A layer shape, {@code in} inputs to {@code out} outputs. */
    public record Shape(int in, int out) {

        public static Shape parse(String s) {
            String[] dims = s.trim().split("x");
            if (dims.length != 2) {
                throw new IllegalArgumentException("shape '" + s + "' is not INxOUT");
            }
            int in = Integer.parseInt(dims[0]);
            int out = Integer.parseInt(dims[1]);
            if (in < 4 || out < 1 || in % 4 != 0) {
                throw new IllegalArgumentException(
                        "shape '" + s + "' needs at least 4 inputs, a multiple of 4 (for 2:4), and 1 output");
            }
            return new Shape(in, out);
        }

        @Override
        public String toString() {
            return in + "x" + out;
        }
    }

    private KernelSweep() {}

    /** Every format at every shape and token count; dense first in each group, so speedups can be computed. */
    public static List<Point> run(
            Backend backend,
            List<Shape> shapes,
            List<Integer> tokens,
            List<Format> formats,
            int runs,
            long seed,
            Progress progress) {
        List<Format> all = new ArrayList<>(List.of(Format.dense(false)));
        formats.stream().filter(f -> !f.equals(Format.dense(false))).forEach(all::add);
        jitWarmup(backend, all, tokens, seed, progress);
        List<Point> points = new ArrayList<>();
        int step = 0;
        int steps = shapes.size() * all.size();
        for (Shape shape : shapes) {
            double[] denseMedian = new double[tokens.size()];
            for (Format format : all) {
                progress.update("sweep " + shape + " " + format.label(), step++, steps);
                Random random = new Random(seed ^ (31L * shape.hashCode() + format.hashCode()));
                PreparedLinear layer = backend.prepare(new Linear(
                        "sweep",
                        RandomLayers.weights(format, random, shape.out(), shape.in()),
                        new float[shape.out()]));
                for (int t = 0; t < tokens.size(); t++) {
                    double[] ms = time(backend, layer, random, tokens.get(t), shape, runs, WARMUP_NANOS_PER_CONFIG);
                    if (format.equals(Format.dense(false))) {
                        denseMedian[t] = ms[ms.length / 2];
                    }
                    double median = ms[ms.length / 2];
                    double p90 = ms[Math.min(ms.length - 1, (int) Math.ceil(0.9 * ms.length) - 1)];
                    points.add(new Point(
                            backend.name(),
                            shape.in(),
                            shape.out(),
                            tokens.get(t),
                            format,
                            median,
                            p90,
                            denseMedian[t] / median,
                            ms.length));
                }
            }
        }
        progress.update("sweep done", steps, steps);
        return points;
    }

    /** Every format at every token count (kernels take different paths for few and many tokens) on a small layer. */
    private static void jitWarmup(
            Backend backend, List<Format> formats, List<Integer> tokens, long seed, Progress progress) {
        Shape small = new Shape(384, 1536);
        Random random = new Random(seed);
        List<PreparedLinear> layers = formats.stream()
                .map(f -> backend.prepare(new Linear(
                        "warmup", RandomLayers.weights(f, random, small.out(), small.in()), new float[small.out()])))
                .toList();
        long start = System.nanoTime();
        long limit = LatencyBenchmark.MIN_WARMUP_SECONDS * 1_000_000_000L;
        while (System.nanoTime() - start < limit) {
            progress.update("warming up the kernels", (int) ((System.nanoTime() - start) / 1_000_000), (int)
                    (limit / 1_000_000));
            for (PreparedLinear layer : layers) {
                for (int t : tokens) {
                    time(backend, layer, random, t, small, 1, 0);
                }
            }
        }
    }

    /** Sorted milliseconds of {@code runs} calls after the configuration's own warm-up (calls and time); fresh random inputs. */
    private static double[] time(
            Backend backend, PreparedLinear layer, Random random, int tokens, Shape shape, int runs, long warmupNanos) {
        float[] input = new float[tokens * shape.in()];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextGaussian();
        }
        Activations x = backend.upload(input, tokens, shape.in());
        Activations y = backend.allocate(tokens, shape.out());
        long start = System.nanoTime();
        for (int w = 0; w < WARMUP_CALLS || System.nanoTime() - start < warmupNanos; w++) {
            call(backend, layer, x, y);
        }
        double[] ms = new double[runs];
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            call(backend, layer, x, y);
            ms[r] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms;
    }

    // Reading the output back makes an asynchronous backend finish the call inside the timed region.
    private static void call(Backend backend, PreparedLinear layer, Activations x, Activations y) {
        backend.linear(layer, x, ActivationFunction.NONE, y);
        backend.read(y);
    }

    /**
     * The sparsity from which CSR (fp32) beats dense for good, given one group's points (one backend, shape and
     * token count): linearly interpolated between the last sparsity where it loses and the first from which it
     * wins at every higher sparsity. Empty when it never wins; the lowest swept sparsity when it always does.
     */
    public static Optional<Double> crossover(List<Point> group) {
        List<Point> csr = group.stream()
                .filter(p -> p.format().kind() == Format.Kind.CSR && !p.format().int8())
                .sorted((a, b) ->
                        Double.compare(a.format().sparsity(), b.format().sparsity()))
                .toList();
        int firstWinning = csr.size();
        while (firstWinning > 0 && csr.get(firstWinning - 1).speedup() > 1) {
            firstWinning--;
        }
        if (firstWinning == csr.size()) {
            return Optional.empty();
        }
        Point win = csr.get(firstWinning);
        if (firstWinning == 0) {
            return Optional.of(win.format().sparsity());
        }
        Point lose = csr.get(firstWinning - 1);
        double f = (1 - lose.speedup()) / (win.speedup() - lose.speedup());
        return Optional.of(lose.format().sparsity()
                + f * (win.format().sparsity() - lose.format().sparsity()));
    }
}
