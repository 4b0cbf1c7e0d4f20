package dev.sparseinfer.models.train;

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
 * One training pass of a pruned linear layer (forward, then the input and weight gradients) on the sparse products
 * and on the dense kernel, at MiniLM's shapes and a micro-batch's token count: where the two cross is where
 * {@link LinearOp#SPARSE_DENSITY} belongs. It lives in the training package to reach both paths directly.
 * Run: {@code bench/run jmh SparseTraining}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class SparseTrainingBenchmark {

    /** Input x output features. */
    @Param({"384x384", "384x1536", "1536x384"})
    public String shape;

    @Param({"0.1", "0.2", "0.3", "0.5"})
    public double density;

    @Param({"1024"})
    public int tokens;

    @Param({"1"})
    public int threads;

    private Parameter weight;
    private Parameter bias;
    private float[] x;
    private float[] y;
    private float[] dy;
    private float[] dx;
    private Matmul matmul;

    @Setup(Level.Trial)
    public void setUp() {
        String[] io = shape.split("x");
        int in = Integer.parseInt(io[0]);
        int out = Integer.parseInt(io[1]);
        Random random = new Random(42);
        weight = new Parameter("w", out, in, gaussian(random, out * in));
        bias = new Parameter("b", 1, out, gaussian(random, out));
        boolean[] pruned = new boolean[out * in];
        for (int i = 0; i < pruned.length; i++) {
            pruned[i] = random.nextDouble() >= density;
        }
        weight.prune(pruned);
        weight.sparseMask();
        x = gaussian(random, tokens * in);
        dy = gaussian(random, tokens * out);
        y = new float[tokens * out];
        dx = new float[tokens * in];
        matmul = new Matmul(threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        matmul.close();
    }

    @Benchmark
    public float sparse() {
        LinearOp.forwardSparse(x, tokens, weight, weight.value(), bias, y, matmul);
        LinearOp.backward(dy, x, tokens, weight, weight.value(), bias, dx, false, matmul, true, Gradients.OWN);
        return y[0] + dx[0];
    }

    @Benchmark
    public float dense() {
        LinearOp.forwardDense(x, tokens, weight, weight.value(), bias, y, matmul);
        LinearOp.backward(dy, x, tokens, weight, weight.value(), bias, dx, false, matmul, false, Gradients.OWN);
        return y[0] + dx[0];
    }

    private static float[] gaussian(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
