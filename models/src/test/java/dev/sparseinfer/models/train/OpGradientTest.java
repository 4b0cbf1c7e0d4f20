package dev.sparseinfer.models.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.backend.TokenBatch;
import dev.sparseinfer.engine.testing.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Every op's backward pass against central finite differences of its float64 forward pass, on fresh random inputs. */
class OpGradientTest {

    private static final double STEP = 1e-5;
    /** float32 gradients against float64 differences: a few float ulps of error, summed over a row or two. */
    private static final double TOLERANCE = 2e-4;

    private final long seed = Seeds.fresh();
    private final Random random = new Random(seed);

    @Test
    void linearGradientsMatchFiniteDifferencesAndPrunedWeightsGetNone() {
        linearMatchesFloat64(6, 13, 9, 2.0 / 3);
    }

    /**
     * A layer keeping a fifth of its weights runs the sparse products; 101 tokens make one and a half token tiles
     * and leave a tail shorter than a vector.
     */
    @Test
    void sparseLinearGradientsMatchFiniteDifferencesAndPrunedWeightsGetNone() {
        linearMatchesFloat64(2 * SparseKernels.TILE - 27, 13, 9, 0.2);
    }

    /** Keeps {@code kept} of the weights, chosen at random, then checks y, dx, dW and db against float64. */
    private void linearMatchesFloat64(int rows, int in, int out, double kept) {
        float[] x = Seeds.gaussian(random, rows * in, 1);
        Parameter w = new Parameter("w", out, in, Seeds.gaussian(random, out * in, 0.5));
        Parameter b = new Parameter("b", 1, out, Seeds.gaussian(random, out, 0.5));
        boolean[] mask = randomMask(out * in, kept);
        w.prune(mask);
        assertEquals(
                kept <= LinearOp.SPARSE_DENSITY,
                w.sparseMask().density() <= LinearOp.SPARSE_DENSITY,
                "the path under test, seed " + seed);
        double[] r = Float64Reference.toDouble(Seeds.gaussian(random, rows * out, 1));
        float[] dx = new float[rows * in];
        float[] y = new float[rows * out];
        try (Matmul m = new Matmul(2)) {
            LinearOp.forward(x, rows, w, b, y, m, FakeQuantization.NONE);
            LinearOp.backward(toFloat(r), x, rows, w, b, dx, false, m, FakeQuantization.NONE, Gradients.OWN);
        }
        double[] xd = Float64Reference.toDouble(x);
        double[] wd = Float64Reference.toDouble(w.value());
        double[] bd = Float64Reference.toDouble(b.value());
        check("y", y, Float64Reference.linear(xd, rows, wd, bd, out, in));
        Float64Reference.Objective f =
                any -> Float64Reference.project(Float64Reference.linear(xd, rows, wd, bd, out, in), r);
        check("dx", dx, Float64Reference.gradient(f, xd, STEP));
        double[] dw = Float64Reference.gradient(f, wd, STEP);
        for (int i = 0; i < mask.length; i++) {
            if (mask[i]) {
                assertEquals(0f, w.grad()[i], "pruned weight " + i + " got a gradient, seed " + seed);
                dw[i] = 0;
            }
        }
        check("dW", w.grad(), dw);
        check("db", b.grad(), Float64Reference.gradient(f, bd, STEP));
    }

    @Test
    void sparseLinearIsTheSameForAnyThreadCountAndAccumulatesItsInputGradient() {
        int rows = 3 * SparseKernels.TILE + 5, in = 41, out = 23;
        float[] x = Seeds.gaussian(random, rows * in, 1);
        float[] dy = Seeds.gaussian(random, rows * out, 1);
        boolean[] mask = randomMask(out * in, 0.1);
        float[] start = Seeds.gaussian(random, rows * in, 1);
        float[][] results = new float[2][];
        float[][] grads = new float[2][];
        int[] threads = {1, 3};
        for (int run = 0; run < 2; run++) {
            Parameter w = new Parameter("w", out, in, Seeds.gaussian(new Random(seed + 1), out * in, 0.5));
            Parameter b = new Parameter("b", 1, out, new float[out]);
            w.prune(mask);
            float[] y = new float[rows * out];
            float[] dx = start.clone();
            try (Matmul m = new Matmul(threads[run])) {
                LinearOp.forward(x, rows, w, b, y, m, FakeQuantization.NONE);
                LinearOp.backward(dy, x, rows, w, b, dx, true, m, FakeQuantization.NONE, Gradients.OWN);
            }
            float[] fresh = new float[rows * in];
            try (Matmul m = new Matmul(threads[run])) {
                LinearOp.backward(dy, x, rows, w, b, fresh, false, m, FakeQuantization.NONE, Gradients.OWN);
            }
            for (int i = 0; i < dx.length; i++) {
                assertEquals(start[i] + fresh[i], dx[i], "dx " + i + " accumulates, seed " + seed);
            }
            results[run] = concat(y, dx);
            grads[run] = w.grad();
        }
        assertArrayEquals(results[0], results[1], "1 and 3 threads, seed " + seed);
        assertArrayEquals(grads[0], grads[1], "1 and 3 threads, seed " + seed);
    }

    /** Exactly {@code round(n * (1 - kept))} entries pruned, at random places. */
    private boolean[] randomMask(int n, double kept) {
        List<Integer> order = new ArrayList<>(IntStream.range(0, n).boxed().toList());
        Collections.shuffle(order, random);
        boolean[] pruned = new boolean[n];
        for (int i = 0; i < Math.round(n * (1 - kept)); i++) {
            pruned[order.get(i)] = true;
        }
        return pruned;
    }

    private static float[] concat(float[] a, float[] b) {
        float[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void layerNormGradientsMatchFiniteDifferences() {
        int rows = 5, cols = 11;
        float[] x = Seeds.gaussian(random, rows * cols, 2);
        Parameter gamma = new Parameter("g", 1, cols, Seeds.gaussian(random, cols, 1));
        Parameter beta = new Parameter("b", 1, cols, Seeds.gaussian(random, cols, 1));
        double[] r = Float64Reference.toDouble(Seeds.gaussian(random, rows * cols, 1));
        float[] y = new float[rows * cols];
        float[] mean = new float[rows];
        float[] rstd = new float[rows];
        LayerNormOp.forward(x, rows, gamma, beta, 1e-12, y, mean, rstd);
        float[] dx = new float[rows * cols];
        LayerNormOp.backward(toFloat(r), x, rows, gamma, beta, mean, rstd, dx);
        double[] xd = Float64Reference.toDouble(x);
        double[] gd = Float64Reference.toDouble(gamma.value());
        double[] bd = Float64Reference.toDouble(beta.value());
        Float64Reference.Objective f =
                any -> Float64Reference.project(Float64Reference.layerNorm(xd, rows, gd, bd, 1e-12), r);
        check("dx", dx, Float64Reference.gradient(f, xd, STEP));
        check("dgamma", gamma.grad(), Float64Reference.gradient(f, gd, STEP));
        check("dbeta", beta.grad(), Float64Reference.gradient(f, bd, STEP));
    }

    @Test
    void geluGradientMatchesFiniteDifferencesOfExactGelu() {
        int n = 101;
        float[] x = Seeds.gaussian(random, n, 3);
        double[] r = Float64Reference.toDouble(Seeds.gaussian(random, n, 1));
        float[] dx = toFloat(r);
        try (Parallel p = new Parallel(2)) {
            GeluOp.backward(x, dx, n, p);
        }
        double[] xd = Float64Reference.toDouble(x);
        check(
                "dx",
                dx,
                Float64Reference.gradient(v -> Float64Reference.project(Float64Reference.gelu(v), r), xd, STEP));
    }

    @Test
    void attentionGradientsMatchFiniteDifferencesAndStayWithinEachSequence() {
        int heads = 3, headDim = 5, width = heads * headDim;
        TokenBatch batch = batch(4, 1, 6, 2);
        int n = batch.tokens();
        float[] q = Seeds.gaussian(random, n * width, 1);
        float[] k = Seeds.gaussian(random, n * width, 1);
        float[] v = Seeds.gaussian(random, n * width, 1);
        double[] r = Float64Reference.toDouble(Seeds.gaussian(random, n * width, 1));
        int[] offsets = AttentionOp.probabilityOffsets(batch, heads);
        float[] probs = new float[offsets[batch.sequences()]];
        float[] dq = new float[n * width];
        float[] dk = new float[n * width];
        float[] dv = new float[n * width];
        try (Parallel p = new Parallel(2)) {
            AttentionOp.forward(q, k, v, heads, width, batch, offsets, probs, new float[n * width], p);
            AttentionOp.backward(toFloat(r), q, k, v, heads, width, batch, offsets, probs, dq, dk, dv, p);
        }
        double[] qd = Float64Reference.toDouble(q);
        double[] kd = Float64Reference.toDouble(k);
        double[] vd = Float64Reference.toDouble(v);
        Float64Reference.Objective f =
                any -> Float64Reference.project(Float64Reference.attention(qd, kd, vd, heads, width, batch), r);
        check("dq", dq, Float64Reference.gradient(f, qd, STEP));
        check("dk", dk, Float64Reference.gradient(f, kd, STEP));
        check("dv", dv, Float64Reference.gradient(f, vd, STEP));
    }

    @Test
    void meanPoolingGradientMatchesFiniteDifferences() {
        int cols = 7;
        TokenBatch batch = batch(3, 5, 1);
        float[] h = Seeds.gaussian(random, batch.tokens() * cols, 1);
        double[] r = Float64Reference.toDouble(Seeds.gaussian(random, batch.sequences() * cols, 1));
        float[] dh = new float[h.length];
        MeanPoolOp.backward(toFloat(r), cols, batch, dh);
        check(
                "dh",
                dh,
                Float64Reference.gradient(
                        x -> Float64Reference.project(Float64Reference.meanPool(x, cols, batch), r),
                        Float64Reference.toDouble(h),
                        STEP));
    }

    @Test
    void lossGradientsMatchFiniteDifferences() {
        DistillLoss loss = new DistillLoss(1.3, 7, 0.6);
        int cols = 9, rows = 8, sequences = 3, layers = 2;
        float[] student = Seeds.gaussian(random, rows * cols, 1);
        float[] teacher = Seeds.gaussian(random, rows * cols, 1);
        float[] grad = new float[rows * cols];
        double value = loss.hidden(student, teacher, rows, cols, layers, rows, grad);
        Float64Reference.Objective hidden = x -> Float64Reference.hiddenLoss(loss, x, teacher, cols, layers, rows);
        assertEquals(hidden.at(Float64Reference.toDouble(student)), value, 1e-9, "seed " + seed);
        check("hidden", grad, Float64Reference.gradient(hidden, Float64Reference.toDouble(student), STEP));

        float[] ps = Seeds.gaussian(random, sequences * cols, 1);
        double[] pt = Float64Reference.toDouble(Seeds.gaussian(random, sequences * cols, 1));
        float[] pooledGrad = new float[ps.length];
        double pooled = loss.pooled(ps, toFloat(pt), sequences, cols, sequences, pooledGrad);
        Float64Reference.Objective p = x -> Float64Reference.pooledLoss(loss, x, pt, cols, sequences);
        assertEquals(p.at(Float64Reference.toDouble(ps)), pooled, 1e-6, "seed " + seed);
        check("pooled", pooledGrad, Float64Reference.gradient(p, Float64Reference.toDouble(ps), STEP));
    }

    @Test
    void matrixProductIsTheSameForAnyThreadCountAndAccumulates() {
        int m = 37, k = 53, n = 22;
        float[] a = Seeds.gaussian(random, m * k, 1);
        float[] b = Seeds.gaussian(random, n * k, 1);
        float[] one = new float[m * n];
        float[] three = Seeds.gaussian(random, m * n, 1);
        float[] before = three.clone();
        try (Matmul m1 = new Matmul(1);
                Matmul m3 = new Matmul(3)) {
            m1.abT(a, m, k, b, n, null, one, false);
            m3.abT(a, m, k, b, n, null, three, true);
        }
        for (int i = 0; i < one.length; i++) {
            assertEquals(before[i] + one[i], three[i], "element " + i + ", seed " + seed);
        }
        double[] expected = Float64Reference.linear(
                Float64Reference.toDouble(a), m, Float64Reference.toDouble(b), new double[n], n, k);
        check("product", one, expected);
    }

    static TokenBatch batch(int... lengths) {
        int[][] ids = new int[lengths.length][];
        for (int s = 0; s < lengths.length; s++) {
            ids[s] = new int[lengths[s]];
        }
        return TokenBatch.pack(ids, ids);
    }

    static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return f;
    }

    private void check(String what, float[] analytic, double[] numeric) {
        double error = Float64Reference.relativeError(analytic, numeric);
        assertTrue(error < TOLERANCE, what + ": relative error " + error + ", seed " + seed);
    }
}
