package dev.sparseinfer.cuda.lib;

import static dev.sparseinfer.cuda.NativeAddress.of;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

import dev.sparseinfer.cuda.lib.Cublas.ComputeType;
import dev.sparseinfer.cuda.lib.Cublas.Transpose;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.testing.Seeds;
import java.util.Arrays;
import java.util.Random;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * cuBLAS on a real GPU, through whichever binding this host gets, in the layout the backend uses: weights
 * {@code W} row-major {@code [out, in]}, activations {@code x} row-major {@code [tokens, in]}, output {@code y}
 * row-major {@code [tokens, out]}. Column-major, those are {@code W^T} ({@code in x out}), {@code X}
 * ({@code in x tokens}) and {@code Y} ({@code out x tokens}), so {@code y = x W^T} is {@code Y = op(W^T) X} with
 * {@code op = T}, {@code m = out}, {@code n = tokens}, {@code k = in}.
 */
@Tag("gpu")
class CublasGpuTest {

    @Test
    void fp16GemmWithFp32ComputeMatchesAFloat64Reference() {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        int out = 67;
        int in = 131;
        int tokens = 13;
        short[] weights = half(Seeds.gaussian(random, out * in, 0.5));
        short[] x = half(Seeds.gaussian(random, tokens * in, 1.0));
        float[] poison = new float[tokens * out];
        Arrays.fill(poison, Float.NaN);
        try (CudaTestDevice device = CudaTestDevice.open();
                Cublas cublas = openOrSkip()) {
            cublas.setStream(0);
            CUdeviceptr y = device.upload(poison);
            cublas.gemmEx(
                    Transpose.T,
                    Transpose.N,
                    out,
                    tokens,
                    in,
                    1f,
                    of(device.upload(weights)),
                    DataType.F16,
                    in,
                    of(device.upload(x)),
                    DataType.F16,
                    in,
                    0f,
                    of(y),
                    DataType.F32,
                    out,
                    ComputeType.F32);
            float[] actual = device.downloadFloats(y, tokens * out);
            assertClose(
                    reference(weights, x, null, out, in, tokens, 1, 0),
                    actual,
                    1e-4,
                    cublas.binding() + ", seed " + seed);
        }
    }

    @Test
    void alphaAndBetaScaleTheProductAndTheOldOutput() {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        int out = 33;
        int in = 75;
        int tokens = 5;
        short[] weights = half(Seeds.gaussian(random, out * in, 0.5));
        short[] x = half(Seeds.gaussian(random, tokens * in, 1.0));
        float[] old = Seeds.gaussian(random, tokens * out, 1.0);
        try (CudaTestDevice device = CudaTestDevice.open();
                Cublas cublas = openOrSkip()) {
            CUdeviceptr y = device.upload(old);
            cublas.gemmEx(
                    Transpose.T,
                    Transpose.N,
                    out,
                    tokens,
                    in,
                    0.75f,
                    of(device.upload(weights)),
                    DataType.F16,
                    in,
                    of(device.upload(x)),
                    DataType.F16,
                    in,
                    -0.5f,
                    of(y),
                    DataType.F32,
                    out,
                    ComputeType.F32);
            float[] actual = device.downloadFloats(y, tokens * out);
            assertClose(
                    reference(weights, x, old, out, in, tokens, 0.75, -0.5),
                    actual,
                    1e-4,
                    cublas.binding() + ", seed " + seed);
        }
    }

    @Test
    void int8GemmWithInt32ComputeIsExact() {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        // Multiples of 4 in the TN layout: the shapes cuBLAS has always accepted for int8 inputs.
        int out = 36;
        int in = 132;
        int tokens = 8;
        byte[] weights = new byte[out * in];
        byte[] x = new byte[tokens * in];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (byte) random.nextInt(-127, 128);
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = (byte) random.nextInt(-127, 128);
        }
        int[] expected = new int[tokens * out];
        for (int t = 0; t < tokens; t++) {
            for (int o = 0; o < out; o++) {
                int sum = 0;
                for (int i = 0; i < in; i++) {
                    sum += weights[o * in + i] * x[t * in + i];
                }
                expected[t * out + o] = sum;
            }
        }
        int[] poison = new int[tokens * out];
        Arrays.fill(poison, Integer.MIN_VALUE);
        try (CudaTestDevice device = CudaTestDevice.open();
                Cublas cublas = openOrSkip()) {
            CUdeviceptr y = device.upload(poison);
            cublas.gemmEx(
                    Transpose.T,
                    Transpose.N,
                    out,
                    tokens,
                    in,
                    1f,
                    of(device.upload(weights)),
                    DataType.I8,
                    in,
                    of(device.upload(x)),
                    DataType.I8,
                    in,
                    0f,
                    of(y),
                    DataType.I32,
                    out,
                    ComputeType.I32);
            assertArrayEquals(expected, device.downloadInts(y, tokens * out), cublas.binding() + ", seed " + seed);
        }
    }

    static Cublas openOrSkip() {
        try {
            return CublasBindings.open();
        } catch (SparseInferException e) {
            if (e.getMessage().equals(CublasBindings.NOT_FOUND)) {
                return abort("cuBLAS library missing here: " + e.getMessage());
            }
            throw e;
        }
    }

    static short[] half(float[] values) {
        short[] half = new short[values.length];
        for (int i = 0; i < values.length; i++) {
            half[i] = Float.floatToFloat16(values[i]);
        }
        return half;
    }

    /** {@code alpha x W^T + beta old} in float64, row-major {@code [tokens, out]}, from the fp16 values as stored. */
    private static double[] reference(
            short[] weights, short[] x, float[] old, int out, int in, int tokens, double alpha, double beta) {
        double[] y = new double[tokens * out];
        for (int t = 0; t < tokens; t++) {
            for (int o = 0; o < out; o++) {
                double sum = 0;
                for (int i = 0; i < in; i++) {
                    sum += (double) Float.float16ToFloat(weights[o * in + i]) * Float.float16ToFloat(x[t * in + i]);
                }
                y[t * out + o] = alpha * sum + (old == null ? 0 : beta * old[t * out + o]);
            }
        }
        return y;
    }

    /** Every element written and finite, and {@code ||actual - expected|| / ||expected||} within {@code bound}. */
    static void assertClose(double[] expected, float[] actual, double bound, String context) {
        double difference = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            int index = i;
            assertTrue(Float.isFinite(actual[i]), () -> "element " + index + " not written or not finite, " + context);
            double d = actual[i] - expected[i];
            difference += d * d;
            norm += expected[i] * expected[i];
        }
        double error = Math.sqrt(difference / norm);
        assertTrue(error <= bound, () -> "relative error " + error + " above " + bound + ", " + context);
    }
}
