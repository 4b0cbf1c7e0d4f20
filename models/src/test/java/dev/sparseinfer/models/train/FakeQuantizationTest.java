package dev.sparseinfer.models.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.backend.TokenBatch;
import dev.sparseinfer.engine.backend.cpu.CpuBackend;
import dev.sparseinfer.engine.format.CsrWeights;
import dev.sparseinfer.engine.format.FloatMatrix;
import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.engine.format.LinearWeights;
import dev.sparseinfer.engine.format.TwoFourWeights;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.model.bert.BertEncoder;
import dev.sparseinfer.engine.model.bert.BertWeights;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.models.prune.MaskSelection;
import dev.sparseinfer.models.quantize.Int8Quantizer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Quantisation-aware training's forward pass against the engine running the int8 model it is written as, and its
 * straight-through backward pass against the float one at the rounded point.
 */
class FakeQuantizationTest {

    /** Widths in groups of 4 for 2:4; 4 heads of 4. */
    private static final BertConfig CONFIG = new BertConfig(30, 16, 2, 4, 24, 12, 2, 1e-12, BertConfig.GELU);

    private final long seed = Seeds.fresh();
    private final Random random = new Random(seed);

    /**
     * Every layer's output against the engine's. Under w8a8 a token whose activation lies within float rounding of a
     * half-step can round to the neighbouring integer in one of the two computations (their sums run in different
     * orders), which changes its sequence from there on by about a rounding step; that happens to under one run in
     * fifty here, so w8a8 requires all but two of the eight sequences to agree to float tolerance.
     */
    @ParameterizedTest
    @MethodSource("schemesAndFormats")
    void studentForwardIsTheEnginesForwardOfTheQuantisedModel(
            Int8Scheme scheme, Function<FloatMatrix, LinearWeights> format) {
        StudentModel student = twoFourStudent(random);
        int[] lengths = random.ints(8, 2, CONFIG.maxPositions()).toArray();
        TokenBatch batch = OpGradientTest.batch(lengths);
        int hidden = CONFIG.hiddenSize();
        float[] embedded = Seeds.gaussian(random, batch.tokens() * hidden, 1);
        StudentPass.Tape fake;
        StudentPass.Tape plain;
        try (Parallel parallel = new Parallel(2);
                Matmul matmul = new Matmul(2)) {
            StudentPass pass = new StudentPass(student, parallel, matmul);
            fake = pass.forward(embedded, batch, FakeQuantization.of(scheme, student.prunable()));
            plain = pass.forward(embedded, batch, FakeQuantization.NONE);
        }
        BertWeights quantized = Int8Quantizer.quantize(student.toWeights(format), scheme);
        try (CpuBackend cpu = new CpuBackend(2)) {
            float[] engine = new BertEncoder(quantized, cpu).runLayers(0, CONFIG.layers(), embedded, batch);
            float[] trained = fake.output(CONFIG.layers() - 1);
            float[] unrounded = plain.output(CONFIG.layers() - 1);
            double rounding = maxDifference(engine, unrounded, 0, engine.length);
            assertTrue(rounding > 1e-3, "rounding changed nothing (" + rounding + "), seed " + seed);
            int agreeing = 0;
            int from = 0;
            for (int length : lengths) {
                int to = from + length * hidden;
                agreeing += maxDifference(engine, trained, from, to) < 1e-5 ? 1 : 0;
                from = to;
            }
            int required = scheme == Int8Scheme.W8A8 ? lengths.length - 2 : lengths.length;
            assertTrue(agreeing >= required, agreeing + " sequences agree, seed " + seed);
        }
    }

    /** Each scheme with the student's weights stored 2:4 and CSR: the engine runs them with different kernels. */
    static Stream<Arguments> schemesAndFormats() {
        Named<Function<FloatMatrix, LinearWeights>> twoFour = Named.of("2:4", TwoFourWeights::fromDense);
        Named<Function<FloatMatrix, LinearWeights>> csr = Named.of("CSR", CsrWeights::fromDense);
        return Stream.of(Int8Scheme.values())
                .flatMap(scheme -> Stream.of(Arguments.of(scheme, twoFour), Arguments.of(scheme, csr)));
    }

    /** Straight-through: a rounded layer's gradients are the float layer's at the rounded weights and input. */
    @ParameterizedTest
    @EnumSource(Int8Scheme.class)
    void linearGradientIsTheFloatGradientAtTheRoundedPoint(Int8Scheme scheme) {
        int rows = 6, in = 12, out = 8;
        float[] x = Seeds.gaussian(random, rows * in, 1);
        float[] dy = Seeds.gaussian(random, rows * out, 1);
        boolean[] mask = new boolean[out * in];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = random.nextInt(3) == 0;
        }
        Parameter w = new Parameter("w", out, in, Seeds.gaussian(random, out * in, 0.5));
        w.prune(mask);
        Parameter b = new Parameter("b", 1, out, Seeds.gaussian(random, out, 0.5));
        Parameter wRounded = new Parameter("w", out, in, FakeQuantization.roundedWeights(w.value(), out, in));
        wRounded.prune(mask);
        Parameter bCopy = new Parameter("b", 1, out, b.value().clone());
        float[] xRounded = scheme == Int8Scheme.W8A8 ? FakeQuantization.roundedTokens(x, rows, in) : x;
        assertTrue(!Arrays.equals(w.value(), wRounded.value()), "weights unchanged by rounding, seed " + seed);

        float[] y = new float[rows * out];
        float[] dx = new float[rows * in];
        float[] yFloat = new float[rows * out];
        float[] dxFloat = new float[rows * in];
        try (Matmul m = new Matmul(2)) {
            FakeQuantization q = FakeQuantization.of(scheme, List.of(w));
            float[] input = q.input(x, rows, in);
            LinearOp.forward(input, rows, w, b, y, m, q);
            LinearOp.backward(dy, input, rows, w, b, dx, false, m, q, Gradients.OWN);
            LinearOp.forward(xRounded, rows, wRounded, bCopy, yFloat, m, FakeQuantization.NONE);
            LinearOp.backward(
                    dy, xRounded, rows, wRounded, bCopy, dxFloat, false, m, FakeQuantization.NONE, Gradients.OWN);
        }
        assertArrayEquals(yFloat, y, "y, seed " + seed);
        assertArrayEquals(dxFloat, dx, "dx, seed " + seed);
        assertArrayEquals(wRounded.grad(), w.grad(), "dW, seed " + seed);
        assertArrayEquals(bCopy.grad(), b.grad(), "db, seed " + seed);
        for (int i = 0; i < mask.length; i++) {
            if (mask[i]) {
                assertEquals(0f, w.grad()[i], "pruned weight " + i + " got a gradient, seed " + seed);
            }
        }
    }

    /** Under w8 the whole step's gradients are exactly those of the float student whose weights are rounded. */
    @Test
    void w8StepGradientsAreTheFloatStudentsAtTheRoundedWeights() {
        long model = random.nextLong();
        StudentModel student = twoFourStudent(new Random(model));
        StudentModel rounded = twoFourStudent(new Random(model));
        for (int i = 0; i < student.parameters().size(); i++) {
            Parameter from = student.parameters().get(i);
            float[] to = rounded.parameters().get(i).value();
            float[] value = from.prunable()
                    ? FakeQuantization.roundedWeights(from.value(), from.rows(), from.cols())
                    : from.value();
            System.arraycopy(value, 0, to, 0, to.length);
        }
        int[] lengths = {4, 6};
        TokenBatch batch = OpGradientTest.batch(lengths);
        int n = batch.tokens() * CONFIG.hiddenSize();
        float[] embedded = Seeds.gaussian(random, n, 1);
        float[][] teacher = {Seeds.gaussian(random, n, 1), Seeds.gaussian(random, n, 1)};
        try (Parallel parallel = new Parallel(2);
                Matmul matmul = new Matmul(2)) {
            double aware = new MicroBatchLoss(student, DistillLoss.DEFAULT, parallel, matmul)
                    .accumulate(
                            embedded,
                            teacher,
                            batch,
                            batch.tokens(),
                            lengths.length,
                            FakeQuantization.of(Int8Scheme.W8, student.prunable()));
            double plain = new MicroBatchLoss(rounded, DistillLoss.DEFAULT, parallel, matmul)
                    .accumulate(embedded, teacher, batch, batch.tokens(), lengths.length, FakeQuantization.NONE);
            assertEquals(plain, aware, "loss, seed " + seed);
        }
        for (int i = 0; i < student.parameters().size(); i++) {
            Parameter p = student.parameters().get(i);
            assertArrayEquals(rounded.parameters().get(i).grad(), p.grad(), p.name() + ", seed " + seed);
        }
    }

    /** Rounding keeps a pruned weight exactly zero and maps each row's largest magnitude onto itself. */
    @ParameterizedTest
    @EnumSource(Int8Scheme.class)
    void roundedWeightsKeepZerosAndEachRowsExtreme(Int8Scheme scheme) {
        StudentModel student = twoFourStudent(random);
        Parameter p = student.prunable().getFirst();
        float[] rounded = FakeQuantization.of(scheme, student.prunable()).weights(p);
        for (int r = 0; r < p.rows(); r++) {
            float max = 0;
            float roundedMax = 0;
            for (int i = r * p.cols(); i < (r + 1) * p.cols(); i++) {
                if (p.pruned()[i]) {
                    assertEquals(0f, rounded[i], "pruned " + i + ", seed " + seed);
                }
                max = Math.max(max, Math.abs(p.value()[i]));
                roundedMax = Math.max(roundedMax, Math.abs(rounded[i]));
            }
            assertEquals(max, roundedMax, 1e-6 * max, "row " + r + ", seed " + seed);
        }
    }

    private static double maxDifference(float[] a, float[] b, int from, int to) {
        double m = 0;
        for (int i = from; i < to; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    /** A random student with 2:4 masks on every linear layer, chosen by magnitude. */
    private static StudentModel twoFourStudent(Random random) {
        StudentModel student = StudentModel.of(RandomBert.weights(CONFIG, random));
        for (Parameter p : student.prunable()) {
            double[] magnitude = new double[p.value().length];
            for (int i = 0; i < magnitude.length; i++) {
                magnitude[i] = Math.abs(p.value()[i]);
            }
            p.prune(MaskSelection.twoFour(magnitude, p.rows(), p.cols()));
        }
        return student;
    }
}
