package dev.sparseinfer.models.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.backend.TokenBatch;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.Seeds;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A tiny model's whole training step, loss to every parameter's gradient, against central finite differences of
 * the same loss computed in float64, with the batch split into two micro-batches and part of one layer pruned.
 */
class TrainingStepGradientTest {

    private static final BertConfig CONFIG = new BertConfig(20, 8, 2, 2, 12, 10, 2, 1e-12, BertConfig.GELU);

    private final long seed = Seeds.fresh();
    private final Random random = new Random(seed);

    @Test
    void everyParameterGradientMatchesFiniteDifferencesOfTheFloat64Loss() {
        StudentModel student = StudentModel.of(RandomBert.weights(CONFIG, random));
        Parameter pruned = student.layers().get(1).intermediate();
        boolean[] mask = new boolean[pruned.value().length];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = random.nextBoolean();
        }
        pruned.prune(mask);
        Parameter sparse = student.layers().get(0).output();
        boolean[] most = new boolean[sparse.value().length];
        for (int i = 0; i < most.length; i++) {
            most[i] = random.nextInt(10) != 0;
        }
        sparse.prune(most);
        assertTrue(LinearOp.runsSparse(sparse), "a layer runs the sparse products, seed " + seed);
        assertFalse(LinearOp.runsSparse(pruned), "and one the dense kernel, seed " + seed);
        DistillLoss loss = new DistillLoss(1, 10, 1);
        int[] lengths = {3, 5, 2, 4};
        TokenBatch whole = OpGradientTest.batch(lengths);
        int hidden = CONFIG.hiddenSize();
        int tokens = whole.tokens();
        float[] embedded = Seeds.gaussian(random, tokens * hidden, 1);
        float[][] teacher = new float[CONFIG.layers()][];
        for (int l = 0; l < teacher.length; l++) {
            teacher[l] = Seeds.gaussian(random, tokens * hidden, 1);
        }

        double value;
        try (Parallel parallel = new Parallel(2);
                Matmul matmul = new Matmul(2)) {
            MicroBatchLoss step = new MicroBatchLoss(student, loss, parallel, matmul);
            int split = lengths[0] + lengths[1];
            value = step.accumulate(
                            rows(embedded, 0, split, hidden),
                            rows(teacher, 0, split, hidden),
                            OpGradientTest.batch(lengths[0], lengths[1]),
                            tokens,
                            lengths.length,
                            FakeQuantization.NONE)
                    + step.accumulate(
                            rows(embedded, split, tokens, hidden),
                            rows(teacher, split, tokens, hidden),
                            OpGradientTest.batch(lengths[2], lengths[3]),
                            tokens,
                            lengths.length,
                            FakeQuantization.NONE);
        }

        List<Parameter> parameters = student.parameters();
        double[][] values = new double[parameters.size()][];
        for (int i = 0; i < values.length; i++) {
            values[i] = Float64Reference.toDouble(parameters.get(i).value());
        }
        Float64Reference.Objective f = any -> referenceLoss(values, embedded, teacher, whole, loss);
        assertEquals(f.at(null), value, 1e-4 * Math.abs(value), "loss, seed " + seed);
        double[][] numeric = new double[values.length][];
        double totalNorm = 0;
        for (int i = 0; i < values.length; i++) {
            numeric[i] = Float64Reference.gradient(f, values[i], 1e-5);
            Parameter p = parameters.get(i);
            for (int j = 0; j < numeric[i].length; j++) {
                if (p.pruned() != null && p.pruned()[j]) {
                    assertEquals(0f, p.grad()[j], p.name() + "[" + j + "] is pruned, seed " + seed);
                    numeric[i][j] = 0;
                }
                totalNorm += numeric[i][j] * numeric[i][j];
            }
        }
        // Relative to the whole gradient's size where a parameter's own is tiny: the key biases' true gradient is
        // zero (softmax ignores a shift shared by all keys), so only float noise is left to compare.
        double floor = 1e-3 * Math.sqrt(totalNorm);
        for (int i = 0; i < values.length; i++) {
            double diff = 0;
            double norm = 0;
            for (int j = 0; j < numeric[i].length; j++) {
                double d = parameters.get(i).grad()[j] - numeric[i][j];
                diff += d * d;
                norm += numeric[i][j] * numeric[i][j];
            }
            double error = Math.sqrt(diff) / Math.max(Math.sqrt(norm), floor);
            assertTrue(error < 1e-3, parameters.get(i).name() + ": relative error " + error + ", seed " + seed);
        }
    }

    /** The loss in float64, straight from the math, with the parameters in {@link StudentModel#parameters} order. */
    private static double referenceLoss(
            double[][] p, float[] embedded, float[][] teacher, TokenBatch batch, DistillLoss loss) {
        int n = batch.tokens();
        int h = CONFIG.hiddenSize();
        int inner = CONFIG.intermediateSize();
        double[] x = Float64Reference.toDouble(embedded);
        double total = 0;
        for (int l = 0; l < CONFIG.layers(); l++) {
            int at = 16 * l;
            double[] q = Float64Reference.linear(x, n, p[at], p[at + 1], h, h);
            double[] k = Float64Reference.linear(x, n, p[at + 2], p[at + 3], h, h);
            double[] v = Float64Reference.linear(x, n, p[at + 4], p[at + 5], h, h);
            double[] ctx = Float64Reference.attention(q, k, v, CONFIG.heads(), h, batch);
            double[] a = Float64Reference.linear(ctx, n, p[at + 6], p[at + 7], h, h);
            double[] h1 = Float64Reference.layerNorm(
                    Float64Reference.add(a, x), n, p[at + 8], p[at + 9], CONFIG.layerNormEps());
            double[] g = Float64Reference.gelu(Float64Reference.linear(h1, n, p[at + 10], p[at + 11], inner, h));
            double[] o = Float64Reference.linear(g, n, p[at + 12], p[at + 13], h, inner);
            x = Float64Reference.layerNorm(
                    Float64Reference.add(o, h1), n, p[at + 14], p[at + 15], CONFIG.layerNormEps());
            total += Float64Reference.hiddenLoss(loss, x, teacher[l], h, CONFIG.layers(), n);
        }
        double[] pooled = Float64Reference.meanPool(x, h, batch);
        double[] pooledTeacher =
                Float64Reference.meanPool(Float64Reference.toDouble(teacher[CONFIG.layers() - 1]), h, batch);
        return total + Float64Reference.pooledLoss(loss, pooled, pooledTeacher, h, batch.sequences());
    }

    private static float[] rows(float[] x, int from, int to, int cols) {
        return Arrays.copyOfRange(x, from * cols, to * cols);
    }

    private static float[][] rows(float[][] x, int from, int to, int cols) {
        float[][] r = new float[x.length][];
        for (int i = 0; i < x.length; i++) {
            r[i] = rows(x[i], from, to, cols);
        }
        return r;
    }
}
