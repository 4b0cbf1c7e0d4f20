package dev.sparseinfer.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.backend.Activations;
import dev.sparseinfer.engine.backend.PreparedNorm;
import dev.sparseinfer.engine.backend.PreparedTable;
import dev.sparseinfer.engine.backend.TokenBatch;
import dev.sparseinfer.engine.backend.cpu.CpuBackend;
import dev.sparseinfer.engine.format.FloatMatrix;
import dev.sparseinfer.engine.format.FloatTable;
import dev.sparseinfer.engine.format.LayerNormWeights;
import dev.sparseinfer.engine.testing.Seeds;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The row-wise kernels (embedding gather, add + LayerNorm, attention, pooling) on the device against float64
 * references written out here, on a batch of sequences of 1, 7, 17 and 129 tokens, outputs poisoned with NaN.
 * These kernels compute in fp32 throughout, so the bounds are fp32 ones.
 */
@Tag("gpu")
class CudaKernelsGpuTest {

    private static final double FP32_BOUND = 1e-5;

    private final long seed = Seeds.fresh();
    private final Random random = new Random(seed);

    private TokenBatch batch(int vocabulary) {
        int[] lengths = {1, 7, 17, 129};
        int[][] ids = new int[lengths.length][];
        int[][] types = new int[lengths.length][];
        for (int s = 0; s < lengths.length; s++) {
            ids[s] = random.ints(lengths[s], 0, vocabulary).toArray();
            types[s] = random.ints(lengths[s], 0, 2).toArray();
        }
        return TokenBatch.pack(ids, types);
    }

    @Test
    void uploadAndReadRoundTripExactly() {
        try (CudaBackend backend = GpuTesting.backendForKernels()) {
            float[] data = Seeds.gaussian(random, 17 * 33, 1);
            assertArrayEquals(data, backend.read(backend.upload(data, 17, 33)), "seed=" + seed);
        }
    }

    @ParameterizedTest
    @CsvSource({"384", "37"})
    void embeddingsAreTheSumOfTheThreeRows(int width) {
        TokenBatch batch = batch(500);
        FloatMatrix word = new FloatMatrix(500, width, Seeds.gaussian(random, 500 * width, 1));
        FloatMatrix position = new FloatMatrix(200, width, Seeds.gaussian(random, 200 * width, 1));
        FloatMatrix type = new FloatMatrix(2, width, Seeds.gaussian(random, 2 * width, 1));
        double[] expected = new double[batch.tokens() * width];
        for (int t = 0; t < batch.tokens(); t++) {
            for (int c = 0; c < width; c++) {
                expected[t * width + c] = (double) word.get(batch.tokenIds()[t], c)
                        + position.get(batch.positions()[t], c)
                        + type.get(batch.typeIds()[t], c);
            }
        }
        try (CudaBackend backend = GpuTesting.backendForKernels()) {
            PreparedTable w = backend.prepareTable(FloatTable.of(word));
            PreparedTable p = backend.prepareTable(FloatTable.of(position));
            PreparedTable ty = backend.prepareTable(FloatTable.of(type));
            Activations out = GpuTesting.poisoned(backend, batch.tokens(), width);
            backend.embed(batch, w, p, ty, out);
            assertBelow(GpuTesting.relativeError(backend.read(out), expected), FP32_BOUND, "embed");
        }
    }

    @ParameterizedTest
    @CsvSource({"384, true", "384, false", "37, true", "1536, true"})
    void addLayerNormMatchesTheFloat64Formula(int cols, boolean withResidual) {
        int rows = 154;
        float[] x = Seeds.gaussian(random, rows * cols, 2);
        float[] residual = Seeds.gaussian(random, rows * cols, 1);
        float[] gamma = Seeds.gaussian(random, cols, 1);
        float[] beta = Seeds.gaussian(random, cols, 0.5);
        float eps = 1e-12f;
        double[] expected = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            for (int c = 0; c < cols; c++) {
                mean += x[r * cols + c] + (withResidual ? (double) residual[r * cols + c] : 0);
            }
            mean /= cols;
            double variance = 0;
            for (int c = 0; c < cols; c++) {
                double d = x[r * cols + c] + (withResidual ? (double) residual[r * cols + c] : 0) - mean;
                variance += d * d;
            }
            double inv = 1 / Math.sqrt(variance / cols + eps);
            for (int c = 0; c < cols; c++) {
                double v = x[r * cols + c] + (withResidual ? (double) residual[r * cols + c] : 0);
                expected[r * cols + c] = (v - mean) * inv * gamma[c] + beta[c];
            }
        }
        try (CudaBackend backend = GpuTesting.backendForKernels()) {
            PreparedNorm norm = backend.prepare(new LayerNormWeights("norm", gamma, beta));
            Activations xs = backend.upload(x, rows, cols);
            Activations rs = withResidual ? backend.upload(residual, rows, cols) : null;
            Activations out = GpuTesting.poisoned(backend, rows, cols);
            backend.addLayerNorm(xs, rs, norm, eps, out);
            assertBelow(GpuTesting.relativeError(backend.read(out), expected), FP32_BOUND, "layernorm");
            // In place over the residual, as the encoder calls it.
            if (withResidual) {
                backend.addLayerNorm(xs, rs, norm, eps, rs);
                assertBelow(GpuTesting.relativeError(backend.read(rs), expected), FP32_BOUND, "layernorm in place");
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"12, 32", "3, 20", "1, 64"})
    void attentionMatchesSoftmaxOfScaledDotProductsWithinEachSequence(int heads, int headDim) {
        TokenBatch batch = batch(10);
        int width = heads * headDim;
        int n = batch.tokens();
        float[] q = Seeds.gaussian(random, n * width, 1);
        float[] k = Seeds.gaussian(random, n * width, 1);
        float[] v = Seeds.gaussian(random, n * width, 1);
        double[] expected = new double[n * width];
        double scale = 1 / Math.sqrt(headDim);
        for (int s = 0; s < batch.sequences(); s++) {
            int start = batch.starts()[s];
            int length = batch.lengths()[s];
            for (int h = 0; h < heads; h++) {
                for (int i = start; i < start + length; i++) {
                    double[] p = new double[length];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < length; j++) {
                        double dot = 0;
                        for (int d = 0; d < headDim; d++) {
                            dot += (double) q[i * width + h * headDim + d] * k[(start + j) * width + h * headDim + d];
                        }
                        p[j] = dot * scale;
                        max = Math.max(max, p[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < length; j++) {
                        p[j] = Math.exp(p[j] - max);
                        sum += p[j];
                    }
                    for (int d = 0; d < headDim; d++) {
                        double acc = 0;
                        for (int j = 0; j < length; j++) {
                            acc += p[j] * v[(start + j) * width + h * headDim + d];
                        }
                        expected[i * width + h * headDim + d] = acc / sum;
                    }
                }
            }
        }
        try (CudaBackend backend = GpuTesting.backendForKernels()) {
            Activations out = GpuTesting.poisoned(backend, n, width);
            backend.attention(
                    backend.upload(q, n, width),
                    backend.upload(k, n, width),
                    backend.upload(v, n, width),
                    heads,
                    batch,
                    out);
            assertBelow(GpuTesting.relativeError(backend.read(out), expected), FP32_BOUND, "attention");
        }
    }

    @Test
    void everyPoolingAgreesWithTheCpuBackend() {
        TokenBatch batch = batch(10);
        int cols = 384;
        float[] x = Seeds.gaussian(random, batch.tokens() * cols, 1);
        try (CudaBackend backend = GpuTesting.backendForKernels();
                CpuBackend cpu = new CpuBackend(1)) {
            for (Pooling pooling : Pooling.values()) {
                for (boolean normalize : new boolean[] {true, false}) {
                    float[][] pooled = backend.pool(backend.upload(x, batch.tokens(), cols), batch, pooling, normalize);
                    float[][] expected = cpu.pool(cpu.upload(x, batch.tokens(), cols), batch, pooling, normalize);
                    for (int s = 0; s < batch.sequences(); s++) {
                        double[] reference = new double[cols];
                        for (int c = 0; c < cols; c++) {
                            reference[c] = expected[s][c];
                        }
                        assertBelow(
                                GpuTesting.relativeError(pooled[s], reference),
                                FP32_BOUND,
                                pooling + (normalize ? " normalised" : "") + " pooling of sequence " + s);
                    }
                }
            }
        }
    }

    private void assertBelow(double error, double bound, String what) {
        assertTrue(error < bound, what + ": relative error " + error + " (seed=" + seed + ")");
    }
}
