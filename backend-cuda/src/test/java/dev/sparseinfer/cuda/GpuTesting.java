package dev.sparseinfer.cuda;

import dev.sparseinfer.cuda.lib.CsrMatMul;
import dev.sparseinfer.cuda.lib.Cublas;
import dev.sparseinfer.cuda.lib.Cusparse;
import dev.sparseinfer.cuda.lib.DataType;
import dev.sparseinfer.engine.backend.Activations;
import dev.sparseinfer.engine.backend.Backend;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * What the GPU tests share: the skip when this machine cannot run CUDA, and outputs poisoned before each run.
 *
 * <p>Tests of our own kernels need no cuBLAS or cuSPARSE, so they run wherever the driver, a capable device and the
 * fatbin are, even where a library binding is missing; tests of the library paths need the whole probe to pass.
 */
final class GpuTesting {

    private static CudaAvailability kernelsProbe;

    private GpuTesting() {}

    /** Opens the CUDA backend with its libraries, or skips the test with the probe's one-line reason. */
    static CudaBackend backend() {
        CudaAvailability probe = CudaProbe.system();
        Assumptions.assumeTrue(probe.available(), probe.reason());
        return CudaBackend.open(probe);
    }

    /**
     * Opens the CUDA backend for tests that run only our kernels: with the libraries where they open, with
     * stand-ins that refuse every call where they do not. Skips the test with the probe's reason when even the
     * kernels cannot run.
     */
    static CudaBackend backendForKernels(boolean recordGraphs) {
        CudaAvailability probe = kernelsProbe();
        Assumptions.assumeTrue(probe.available(), probe.reason());
        CudaLibraries libraries = CudaProbe.system().available() ? CudaLibraries.bound() : new AbsentLibraries();
        return CudaBackend.open(probe, libraries, recordGraphs);
    }

    static CudaBackend backendForKernels() {
        return backendForKernels(true);
    }

    private static synchronized CudaAvailability kernelsProbe() {
        if (kernelsProbe == null) {
            JCudaPlatform machine = new JCudaPlatform(CudaLibraries.bound());
            kernelsProbe = CudaProbe.run(new CudaPlatform() {
                @Override
                public boolean driverLibraryFound() {
                    return machine.driverLibraryFound();
                }

                @Override
                public Optional<String> loadDriverNatives() {
                    return machine.loadDriverNatives();
                }

                @Override
                public List<CudaDeviceInfo> devices() {
                    return machine.devices();
                }

                @Override
                public Optional<byte[]> kernelFatbin() {
                    return machine.kernelFatbin();
                }

                @Override
                public void openLibraries(CudaDeviceInfo device) {
                    // Not needed by our kernels.
                }
            });
        }
        return kernelsProbe;
    }

    /** Handles that open but refuse every call: a test that reaches one is using a library it did not ask for. */
    private static final class AbsentLibraries implements CudaLibraries {

        @Override
        public Cublas openCublas() {
            return new Cublas() {
                @Override
                public String binding() {
                    return "cuBLAS not loaded";
                }

                @Override
                public void setStream(long stream) {}

                @Override
                public void gemmEx(
                        Transpose transA,
                        Transpose transB,
                        int m,
                        int n,
                        int k,
                        float alpha,
                        long a,
                        DataType aType,
                        int lda,
                        long b,
                        DataType bType,
                        int ldb,
                        float beta,
                        long c,
                        DataType cType,
                        int ldc,
                        ComputeType compute) {
                    throw new IllegalStateException("this test runs without cuBLAS");
                }

                @Override
                public void close() {}
            };
        }

        @Override
        public Cusparse openCusparse() {
            return new Cusparse() {
                @Override
                public String binding() {
                    return "cuSPARSE not loaded";
                }

                @Override
                public void setStream(long stream) {}

                @Override
                public CsrMatMul prepareCsr(
                        int out,
                        int in,
                        int nonZeros,
                        long rowOffsets,
                        long columnIndices,
                        long values,
                        DataType valueType,
                        DataType inputType,
                        int maxTokens) {
                    throw new IllegalStateException("this test runs without cuSPARSE");
                }

                @Override
                public void close() {}
            };
        }
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
}
