package dev.sparseinfer.cuda.lib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.abort;

import java.util.ArrayList;
import java.util.List;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * Device 0's primary context, current on the calling thread, and the device memory a GPU test allocates in it,
 * all through JCuda's driver API. Skips the test, saying why, where there is no driver or no device.
 */
final class CudaTestDevice implements AutoCloseable {

    private final CUdevice device;
    private final List<CUdeviceptr> allocations = new ArrayList<>();

    private CudaTestDevice(CUdevice device) {
        this.device = device;
    }

    static CudaTestDevice open() {
        int initialised;
        try {
            initialised = JCudaDriver.cuInit(0);
        } catch (LinkageError e) {
            return abort("no CUDA driver here: JCuda's driver binding does not load ("
                    + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (initialised != CUresult.CUDA_SUCCESS) {
            return abort("no usable CUDA device here: cuInit returned " + CUresult.stringFor(initialised));
        }
        int[] count = new int[1];
        check("cuDeviceGetCount", JCudaDriver.cuDeviceGetCount(count));
        if (count[0] == 0) {
            return abort("no CUDA device here");
        }
        CUdevice device = new CUdevice();
        check("cuDeviceGet", JCudaDriver.cuDeviceGet(device, 0));
        CUcontext context = new CUcontext();
        check("cuDevicePrimaryCtxRetain", JCudaDriver.cuDevicePrimaryCtxRetain(context, device));
        check("cuCtxSetCurrent", JCudaDriver.cuCtxSetCurrent(context));
        return new CudaTestDevice(device);
    }

    /** Device memory holding {@code values}; {@code NativeAddress.of} gives its address. */
    CUdeviceptr upload(float[] values) {
        return upload(Pointer.to(values), (long) values.length * Float.BYTES);
    }

    CUdeviceptr upload(short[] values) {
        return upload(Pointer.to(values), (long) values.length * Short.BYTES);
    }

    CUdeviceptr upload(int[] values) {
        return upload(Pointer.to(values), (long) values.length * Integer.BYTES);
    }

    CUdeviceptr upload(byte[] values) {
        return upload(Pointer.to(values), values.length);
    }

    float[] downloadFloats(CUdeviceptr memory, int count) {
        float[] values = new float[count];
        synchronize();
        check("cuMemcpyDtoH", JCudaDriver.cuMemcpyDtoH(Pointer.to(values), memory, (long) count * Float.BYTES));
        return values;
    }

    int[] downloadInts(CUdeviceptr memory, int count) {
        int[] values = new int[count];
        synchronize();
        check("cuMemcpyDtoH", JCudaDriver.cuMemcpyDtoH(Pointer.to(values), memory, (long) count * Integer.BYTES));
        return values;
    }

    void synchronize() {
        check("cuCtxSynchronize", JCudaDriver.cuCtxSynchronize());
    }

    @Override
    public void close() {
        synchronize();
        for (CUdeviceptr allocation : allocations) {
            check("cuMemFree", JCudaDriver.cuMemFree(allocation));
        }
        check("cuDevicePrimaryCtxRelease", JCudaDriver.cuDevicePrimaryCtxRelease(device));
    }

    private CUdeviceptr upload(Pointer host, long bytes) {
        CUdeviceptr memory = new CUdeviceptr();
        check("cuMemAlloc", JCudaDriver.cuMemAlloc(memory, bytes));
        allocations.add(memory);
        check("cuMemcpyHtoD", JCudaDriver.cuMemcpyHtoD(memory, host, bytes));
        return memory;
    }

    private static void check(String function, int result) {
        assertEquals(CUresult.CUDA_SUCCESS, result, () -> function + " returned " + CUresult.stringFor(result));
    }
}
