package dev.sparseinfer.cuda.lib;

import static dev.sparseinfer.cuda.NativeAddress.of;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.testing.Seeds;
import java.util.Arrays;
import java.util.Random;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * cuSPARSE SpMM on a real GPU: {@code y = x W^T} for a random CSR {@code W} with some empty rows, at several token
 * counts after one preparation for the largest, each against a float64 reference on the values as stored.
 */
@Tag("gpu")
class CusparseGpuTest {

    private static final int OUT = 67;
    private static final int IN = 131;
    private static final int MAX_TOKENS = 13;

    @Test
    void fp16ValuesAndActivationsWithFp32Output() {
        multipliesAtEveryTokenCount(DataType.F16);
    }

    @Test
    void fp32ValuesAndActivations() {
        multipliesAtEveryTokenCount(DataType.F32);
    }

    private static void multipliesAtEveryTokenCount(DataType type) {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        Csr weights = Csr.random(random, OUT, IN, 0.5, type);
        try (CudaTestDevice device = CudaTestDevice.open();
                Cusparse cusparse = openOrSkip()) {
            cusparse.setStream(0);
            CUdeviceptr rowOffsets = device.upload(weights.rowOffsets);
            CUdeviceptr columns = device.upload(weights.columns);
            CUdeviceptr values = type == DataType.F16
                    ? device.upload(CublasGpuTest.half(weights.values))
                    : device.upload(weights.values);
            try (CsrMatMul product = cusparse.prepareCsr(
                    OUT, IN, weights.nonZeros(), of(rowOffsets), of(columns), of(values), type, type, MAX_TOKENS)) {
                // The largest count first and again last, so a count's cached descriptors are re-pointed too.
                for (int tokens : new int[] {MAX_TOKENS, 1, 5, MAX_TOKENS, 5}) {
                    float[] x = rounded(Seeds.gaussian(random, tokens * IN, 1.0), type);
                    CUdeviceptr input = type == DataType.F16 ? device.upload(CublasGpuTest.half(x)) : device.upload(x);
                    float[] poison = new float[MAX_TOKENS * OUT];
                    Arrays.fill(poison, Float.NaN);
                    CUdeviceptr output = device.upload(poison);
                    product.multiply(of(input), tokens, of(output));
                    float[] all = device.downloadFloats(output, MAX_TOKENS * OUT);
                    String context = cusparse.binding() + ", " + type + ", " + tokens + " tokens, seed " + seed;
                    CublasGpuTest.assertClose(
                            weights.timesTransposed(x, tokens),
                            Arrays.copyOf(all, tokens * OUT),
                            type == DataType.F16 ? 1e-4 : 1e-5,
                            context);
                    for (int i = tokens * OUT; i < all.length; i++) {
                        int index = i;
                        assertTrue(
                                Float.isNaN(all[i]),
                                () -> "wrote element " + index + " past the last token, " + context);
                    }
                }
            }
        }
    }

    private static Cusparse openOrSkip() {
        try {
            return CusparseBindings.open();
        } catch (SparseInferException e) {
            if (e.getMessage().equals(CusparseBindings.NOT_FOUND)) {
                return abort("cuSPARSE library missing here: " + e.getMessage());
            }
            throw e;
        }
    }

    /** The values as the device will hold them, so the reference multiplies exactly what the GPU does. */
    private static float[] rounded(float[] values, DataType type) {
        if (type == DataType.F16) {
            for (int i = 0; i < values.length; i++) {
                values[i] = Float.float16ToFloat(Float.floatToFloat16(values[i]));
            }
        }
        return values;
    }

    private record Csr(int out, int in, int[] rowOffsets, int[] columns, float[] values) {

        /** Keeps each entry with probability {@code density}; every fifth row is left empty. */
        static Csr random(Random random, int out, int in, double density, DataType type) {
            int[] rowOffsets = new int[out + 1];
            int[] columns = new int[out * in];
            float[] values = new float[out * in];
            int count = 0;
            for (int o = 0; o < out; o++) {
                for (int i = 0; o % 5 != 0 && i < in; i++) {
                    if (random.nextDouble() < density) {
                        columns[count] = i;
                        values[count] = (float) random.nextGaussian();
                        count++;
                    }
                }
                rowOffsets[o + 1] = count;
            }
            return new Csr(
                    out, in, rowOffsets, Arrays.copyOf(columns, count), rounded(Arrays.copyOf(values, count), type));
        }

        int nonZeros() {
            return values.length;
        }

        /** {@code x W^T} in float64, row-major {@code [tokens, out]}. */
        double[] timesTransposed(float[] x, int tokens) {
            double[] y = new double[tokens * out];
            for (int t = 0; t < tokens; t++) {
                for (int o = 0; o < out; o++) {
                    double sum = 0;
                    for (int j = rowOffsets[o]; j < rowOffsets[o + 1]; j++) {
                        sum += (double) values[j] * x[t * in + columns[j]];
                    }
                    y[t * out + o] = sum;
                }
            }
            return y;
        }
    }
}
