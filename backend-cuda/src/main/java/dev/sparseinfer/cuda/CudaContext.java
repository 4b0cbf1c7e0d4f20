package dev.sparseinfer.cuda;

import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;

/**
 * A device's primary context, retained for as long as this object lives: the context the CUDA runtime, cuBLAS and
 * cuSPARSE use too, so every library sees the same memory. Driver calls act on the calling thread's current
 * context, so each entry point of the backend makes it current first (cheap when it already is).
 */
final class CudaContext implements AutoCloseable {

    private final CUdevice device;
    private final CUcontext context;
    private boolean released;

    private CudaContext(CUdevice device, CUcontext context) {
        this.device = device;
        this.context = context;
    }

    static CudaContext primary(int ordinal) {
        // The probe initialised the driver already; a second cuInit is free, and makes this safe without one.
        CudaResult.check(JCudaDriver.cuInit(0), "cuInit");
        CUdevice device = new CUdevice();
        CudaResult.check(JCudaDriver.cuDeviceGet(device, ordinal), "cuDeviceGet");
        CUcontext context = new CUcontext();
        CudaResult.check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        return new CudaContext(device, context);
    }

    void makeCurrent() {
        CudaResult.check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
    }

    @Override
    public void close() {
        if (!released) {
            released = true;
            CudaResult.check(JCudaDriver.cuDevicePrimaryCtxRelease(device), "cuDevicePrimaryCtxRelease");
        }
    }
}
