package dev.sparseinfer.cuda;

import dev.sparseinfer.cuda.lib.Cublas;
import dev.sparseinfer.cuda.lib.Cusparse;
import dev.sparseinfer.kernels.KernelFatbin;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;

/** The real machine: FFM for the driver lookup, JCuda's driver API for the rest. */
final class JCudaPlatform implements CudaPlatform {

    static final String DRIVER_LIBRARY = "libcuda.so.1";

    private final CudaLibraries libraries;

    JCudaPlatform(CudaLibraries libraries) {
        this.libraries = libraries;
    }

    @Override
    public boolean driverLibraryFound() {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup.libraryLookup(DRIVER_LIBRARY, arena);
            return true;
        } catch (IllegalArgumentException notFound) {
            return false;
        }
    }

    @Override
    public Optional<String> loadDriverNatives() {
        try {
            // The first touch of JCudaDriver loads libJCudaDriver, which links libcuda.so.1.
            JCudaDriver.setExceptionsEnabled(false);
            return Optional.empty();
        } catch (LinkageError | RuntimeException e) {
            return Optional.of(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    @Override
    public List<CudaDeviceInfo> devices() {
        CudaResult.check(JCudaDriver.cuInit(0), "cuInit");
        int[] count = new int[1];
        CudaResult.check(JCudaDriver.cuDeviceGetCount(count), "cuDeviceGetCount");
        List<CudaDeviceInfo> devices = new ArrayList<>();
        for (int ordinal = 0; ordinal < count[0]; ordinal++) {
            CUdevice device = new CUdevice();
            CudaResult.check(JCudaDriver.cuDeviceGet(device, ordinal), "cuDeviceGet");
            byte[] name = new byte[256];
            CudaResult.check(JCudaDriver.cuDeviceGetName(name, name.length, device), "cuDeviceGetName");
            devices.add(new CudaDeviceInfo(
                    ordinal,
                    cString(name),
                    attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
                    attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR)));
        }
        return devices;
    }

    @Override
    public Optional<byte[]> kernelFatbin() {
        return KernelFatbin.load();
    }

    @Override
    public void openLibraries(CudaDeviceInfo device) {
        try (CudaContext context = CudaContext.primary(device.ordinal())) {
            context.makeCurrent();
            try (Cublas cublas = libraries.openCublas();
                    Cusparse cusparse = libraries.openCusparse()) {
                // Opening both is the check; the backend opens its own handles.
            }
        }
    }

    static int attribute(CUdevice device, int attribute) {
        int[] value = new int[1];
        CudaResult.check(JCudaDriver.cuDeviceGetAttribute(value, attribute, device), "cuDeviceGetAttribute");
        return value[0];
    }

    private static String cString(byte[] bytes) {
        int length = 0;
        while (length < bytes.length && bytes[length] != 0) {
            length++;
        }
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }
}
