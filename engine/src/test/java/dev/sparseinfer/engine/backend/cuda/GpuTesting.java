package dev.sparseinfer.engine.backend.cuda;

import dev.sparseinfer.engine.backend.Activations;
import dev.sparseinfer.engine.backend.Backend;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;

/** What the GPU tests share: the skip when this machine cannot run CUDA, and outputs poisoned before each run. */
final class GpuTesting {

    private GpuTesting() {
    }

    /** Opens the CUDA backend, or skips the test with the probe's one-line reason. */
    static CudaBackend backend() {
        CudaAvailability probe = CudaProbe.system();
        Assumptions.assumeTrue(probe.available(), probe.reason());
        return CudaBackend.open(probe);
    }

    static CudaBackend backend(boolean recordGraphs) {
        CudaAvailability probe = CudaProbe.system();
        Assumptions.assumeTrue(probe.available(), probe.reason());
        return CudaBackend.open(probe, CudaLibraries.bound(), recordGraphs);
    }

    /** Device activations full of NaN, so an element a kernel fails to write shows in the error. */
    static Activations poisoned(Backend backend, int rows, int cols) {
        float[] nan = new float[rows * cols];
        Arrays.fill(nan, Float.NaN);
        return backend.upload(nan, rows, cols);
    }

    /** {@code |a - b| / |b|} over whole matrices, float64; NaN anywhere in {@code a} makes it NaN. */
    static double relativeError(float[] actual, double[] expected) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = actual[i] - expected[i];
            diff += d * d;
            norm += expected[i] * expected[i];
        }
        return Math.sqrt(diff / Math.max(norm, 1e-300));
    }

    static double[] widen(float[] values) {
        double[] wide = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            wide[i] = values[i];
        }
        return wide;
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
