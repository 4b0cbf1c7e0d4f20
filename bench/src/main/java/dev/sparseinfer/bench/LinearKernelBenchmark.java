package dev.sparseinfer.bench;

import dev.sparseinfer.engine.api.Precision;
import dev.sparseinfer.engine.backend.ActivationFunction;
import dev.sparseinfer.engine.backend.Activations;
import dev.sparseinfer.engine.backend.PreparedLinear;
import dev.sparseinfer.engine.backend.cpu.CpuBackend;
import dev.sparseinfer.engine.format.CsrInt8Weights;
import dev.sparseinfer.engine.format.CsrWeights;
import dev.sparseinfer.engine.format.DenseWeights;
import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.engine.format.Int8Weights;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.format.LinearWeights;
import dev.sparseinfer.engine.format.TwoFourInt8Weights;
import dev.sparseinfer.engine.format.TwoFourWeights;
import dev.sparseinfer.models.evaluate.RandomLayers;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One linear layer on the CPU backend, every weight format, at MiniLM, BERT-base and LLM shapes ({@code in x out}),
 * for 1, 16, 32 and 128 tokens. Weights are random with the format's exact sparsity; the layer is prepared (packed)
 * once in setup, as at model load; {@code bf16} is the dense layer at {@link Precision#BF16} (the native AVX-512 BF16
 * kernel where it runs, else dense fp32 with a notice on stderr). {@link JmhSummary} turns the results into dense-equivalent GFLOP/s
 * ({@code 2 * tokens * in * out / time}, whatever the format skips) and a fraction of {@link FmaPeakBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC"})
public class LinearKernelBenchmark {

    @Param({"384x384", "384x1536", "1536x384", "768x768", "768x3072", "4096x4096", "4096x11008"})
    public String shape;

    @Param({"1", "16", "32", "128"})
    public int tokens;

    @Param({"dense", "bf16", "csr-50", "2:4", "csr-75", "csr-90", "w8a8", "w8", "2:4+w8a8", "csr-90+w8a8"})
    public String format;

    @Param({"1"})
    public int threads;

    private CpuBackend backend;
    private PreparedLinear layer;
    private Activations x;
    private Activations y;

    @Setup(Level.Trial)
    public void setUp() {
        String[] dims = shape.split("x");
        int in = Integer.parseInt(dims[0]);
        int out = Integer.parseInt(dims[1]);
        Random random = new Random(shape.hashCode() * 31L + tokens);
        backend = new CpuBackend(threads, format.equals("bf16") ? Precision.BF16 : Precision.FP32);
        backend.notice().ifPresent(n -> System.err.println("LinearKernelBenchmark: " + n));
        float[] bias = new float[out];
        layer = backend.prepare(new Linear("layer", weights(random, out, in), bias));
        float[] input = new float[tokens * in];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextGaussian();
        }
        x = backend.upload(input, tokens, in);
        y = backend.allocate(tokens, out);
    }

    private LinearWeights weights(Random random, int out, int in) {
        return switch (format) {
            case "dense", "bf16" -> new DenseWeights(RandomLayers.matrix(random, out, in, 0));
            case "csr-50" -> CsrWeights.fromDense(RandomLayers.matrix(random, out, in, 0.5));
            case "csr-75" -> CsrWeights.fromDense(RandomLayers.matrix(random, out, in, 0.75));
            case "csr-90" -> CsrWeights.fromDense(RandomLayers.matrix(random, out, in, 0.9));
            case "2:4" -> TwoFourWeights.fromDense(RandomLayers.twoFour(random, out, in));
            case "w8a8" -> Int8Weights.quantize(RandomLayers.matrix(random, out, in, 0), Int8Scheme.W8A8);
            case "w8" -> Int8Weights.quantize(RandomLayers.matrix(random, out, in, 0), Int8Scheme.W8);
            case "2:4+w8a8" ->
                TwoFourInt8Weights.quantize(
                        TwoFourWeights.fromDense(RandomLayers.twoFour(random, out, in)), Int8Scheme.W8A8);
            case "csr-90+w8a8" ->
                CsrInt8Weights.quantize(
                        CsrWeights.fromDense(RandomLayers.matrix(random, out, in, 0.9)), Int8Scheme.W8A8);
            default -> throw new IllegalArgumentException("unknown format " + format);
        };
    }

    @Benchmark
    public Activations linear() {
        backend.linear(layer, x, ActivationFunction.NONE, y);
        return y;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
    }
}
