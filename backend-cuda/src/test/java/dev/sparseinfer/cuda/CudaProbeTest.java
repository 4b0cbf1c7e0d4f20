package dev.sparseinfer.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.SparseInferException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class CudaProbeTest {

    private static final CudaDeviceInfo H100 = new CudaDeviceInfo(0, "NVIDIA H100 80GB HBM3", 9, 0);
    private static final CudaDeviceInfo T4 = new CudaDeviceInfo(0, "Tesla T4", 7, 5);

    /** A machine with every piece present unless a test takes one away; it logs which steps ran. */
    private static class SimulatedPlatform implements CudaPlatform {
        boolean driver = true;
        Optional<String> natives = Optional.empty();
        SparseInferException initFailure;
        List<CudaDeviceInfo> devices = List.of(H100);
        Optional<byte[]> fatbin = Optional.of(new byte[] {1, 2, 3});
        SparseInferException libraryFailure;
        final List<String> steps = new ArrayList<>();

        @Override
        public boolean driverLibraryFound() {
            steps.add("driver");
            return driver;
        }

        @Override
        public Optional<String> loadDriverNatives() {
            steps.add("natives");
            return natives;
        }

        @Override
        public List<CudaDeviceInfo> devices() {
            steps.add("devices");
            if (initFailure != null) {
                throw initFailure;
            }
            return devices;
        }

        @Override
        public Optional<byte[]> kernelFatbin() {
            steps.add("fatbin");
            return fatbin;
        }

        @Override
        public void openLibraries(CudaDeviceInfo device) {
            steps.add("libraries " + device.name());
            if (libraryFailure != null) {
                throw libraryFailure;
            }
        }
    }

    private static SparseInferException unavailable(String message) {
        return new SparseInferException(SparseInferException.Code.BACKEND_UNAVAILABLE, message);
    }

    @Test
    void everyPiecePresentMakesTheBackendAvailableOnTheFirstCapableDevice() {
        SimulatedPlatform platform = new SimulatedPlatform();
        platform.devices = List.of(T4, new CudaDeviceInfo(1, "NVIDIA A100-SXM4-40GB", 8, 0), H100);
        CudaAvailability found = CudaProbe.run(platform);
        assertTrue(found.available(), found.reason());
        assertEquals("cuda: NVIDIA A100-SXM4-40GB (sm_80)", found.reason());
        assertEquals(1, found.device().orElseThrow().ordinal());
        assertEquals(
                List.of("driver", "natives", "devices", "fatbin", "libraries NVIDIA A100-SXM4-40GB"), platform.steps);
    }

    @Test
    void aMissingDriverStopsBeforeJCudaIsTouched() {
        SimulatedPlatform platform = new SimulatedPlatform();
        platform.driver = false;
        assertMissing(platform, "cuda: no NVIDIA driver (libcuda.so.1 not found)");
        assertEquals(List.of("driver"), platform.steps);
    }

    @Test
    void nativesThatDoNotLoadAreNamed() {
        SimulatedPlatform platform = new SimulatedPlatform();
        platform.natives = Optional.of("UnsatisfiedLinkError: libJCudaDriver-12.6.0-linux-x86_64.so");
        assertMissing(
                platform,
                "cuda: JCuda driver natives did not load (UnsatisfiedLinkError: "
                        + "libJCudaDriver-12.6.0-linux-x86_64.so)");
        assertEquals(List.of("driver", "natives"), platform.steps);
    }

    @Test
    void aFailedInitIsReportedWithItsResult() {
        SimulatedPlatform platform = new SimulatedPlatform();
        platform.initFailure = CudaResult.failure(jcuda.driver.CUresult.CUDA_ERROR_NO_DEVICE, "cuInit");
        assertMissing(platform, "cuda: cuInit failed: CUDA_ERROR_NO_DEVICE");
    }

    @Test
    void noDeviceAtAllIsReported() {
        SimulatedPlatform platform = new SimulatedPlatform();
        platform.devices = List.of();
        assertMissing(platform, "cuda: the driver reports no CUDA device");
    }

    @Test
    void devicesWithoutSparseTensorCoresAreNamed() {
        SimulatedPlatform platform = new SimulatedPlatform();
        platform.devices = List.of(new CudaDeviceInfo(0, "Tesla V100", 7, 0), T4);
        assertMissing(
                platform,
                "cuda: no device of compute capability 8.0 or newer (sparse tensor cores); "
                        + "best is Tesla T4 (sm_75)");
        assertEquals(List.of("driver", "natives", "devices"), platform.steps);
    }

    @Test
    void aBuildWithoutKernelsSaysNvccWasMissing() {
        SimulatedPlatform platform = new SimulatedPlatform();
        platform.fatbin = Optional.empty();
        assertMissing(platform, "cuda: kernels not built (nvcc was not found when this build ran)");
        assertEquals(List.of("driver", "natives", "devices", "fatbin"), platform.steps);
    }

    @Test
    void aLibraryThatDoesNotOpenIsReportedInItsOwnWords() {
        SimulatedPlatform platform = new SimulatedPlatform();
        platform.libraryFailure = unavailable("cuda: libcublas.so.13 not found");
        assertMissing(platform, "cuda: libcublas.so.13 not found");
    }

    @Test
    void thisMachineWithoutADriverIsToldSo() {
        Assumptions.assumeFalse(
                new JCudaPlatform(CudaLibraries.bound()).driverLibraryFound(), "this machine has a CUDA driver");
        CudaAvailability found = CudaProbe.system();
        assertFalse(found.available());
        assertEquals(CudaProbe.NO_DRIVER, found.reason());
    }

    private static void assertMissing(SimulatedPlatform platform, String line) {
        CudaAvailability found = CudaProbe.run(platform);
        assertFalse(found.available());
        assertEquals(line, found.reason());
        assertEquals(1, found.reason().lines().count());
    }
}
