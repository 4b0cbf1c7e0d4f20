package dev.sparseinfer.cuda;

import dev.sparseinfer.engine.api.SparseInferException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Checks, in order, everything the CUDA backend needs and stops at the first missing piece, naming it in one line:
 * the driver library, JCuda's driver natives, a device with sparse tensor cores, the kernels fatbin, cuBLAS and
 * cuSPARSE. The driver is looked for before JCuda is touched, so a machine without one never loads JCuda's natives.
 */
public final class CudaProbe {

    static final String NO_DRIVER = "cuda: no NVIDIA driver (libcuda.so.1 not found)";
    static final String NO_KERNELS = "cuda: kernels not built (nvcc was not found when this build ran)";

    private static volatile CudaAvailability system;

    private CudaProbe() {}

    /** This machine, probed once per JVM: the answer cannot change while it runs. */
    public static CudaAvailability system() {
        CudaAvailability result = system;
        if (result == null) {
            synchronized (CudaProbe.class) {
                result = system;
                if (result == null) {
                    result = run(new JCudaPlatform(CudaLibraries.bound()));
                    system = result;
                }
            }
        }
        return result;
    }

    public static CudaAvailability run(CudaPlatform platform) {
        if (!platform.driverLibraryFound()) {
            return CudaAvailability.missing(NO_DRIVER);
        }
        Optional<String> natives = platform.loadDriverNatives();
        if (natives.isPresent()) {
            return CudaAvailability.missing("cuda: JCuda driver natives did not load (" + natives.get() + ")");
        }
        List<CudaDeviceInfo> devices;
        try {
            devices = platform.devices();
        } catch (SparseInferException e) {
            return CudaAvailability.missing(e.getMessage());
        }
        if (devices.isEmpty()) {
            return CudaAvailability.missing("cuda: the driver reports no CUDA device");
        }
        Optional<CudaDeviceInfo> device =
                devices.stream().filter(CudaDeviceInfo::supported).findFirst();
        if (device.isEmpty()) {
            CudaDeviceInfo best = devices.stream()
                    .max(Comparator.comparingInt(CudaDeviceInfo::major).thenComparingInt(CudaDeviceInfo::minor))
                    .orElseThrow();
            return CudaAvailability.missing("cuda: no device of compute capability " + CudaDeviceInfo.MIN_MAJOR
                    + ".0 or newer (sparse tensor cores); best is " + best);
        }
        Optional<byte[]> fatbin = platform.kernelFatbin();
        if (fatbin.isEmpty()) {
            return CudaAvailability.missing(NO_KERNELS);
        }
        try {
            platform.openLibraries(device.get());
        } catch (SparseInferException e) {
            return CudaAvailability.missing(e.getMessage());
        }
        return CudaAvailability.found(device.get(), fatbin.get());
    }
}
