package dev.sparseinfer.cuda;

import java.util.OptionalLong;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/** {@code cuMemAlloc} / {@code cuMemFree} in the context current on the calling thread. */
final class DriverAllocator implements DeviceAllocator {

    @Override
    public OptionalLong allocate(long bytes) {
        CUdeviceptr pointer = new CUdeviceptr();
        int result = JCudaDriver.cuMemAlloc(pointer, bytes);
        if (result == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            return OptionalLong.empty();
        }
        CudaResult.check(result, "cuMemAlloc");
        return OptionalLong.of(NativeAddress.of(pointer));
    }

    @Override
    public void free(long address) {
        CudaResult.check(JCudaDriver.cuMemFree(NativeAddress.devicePointer(address)), "cuMemFree");
    }
}
