package dev.sparseinfer.engine.backend.cuda.lib;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * Device memory from the driver API ({@code cuMemAlloc}) in the calling thread's current context, for the work
 * space cuSPARSE asks for. A size of zero allocates nothing and stands for the null pointer, which is what cuSPARSE
 * expects when it needs no work space.
 */
final class DeviceBuffer implements AutoCloseable {

    private final CUdeviceptr pointer;
    private final long bytes;
    private boolean freed;

    private DeviceBuffer(CUdeviceptr pointer, long bytes) {
        this.pointer = pointer;
        this.bytes = bytes;
    }

    static DeviceBuffer allocate(long bytes) {
        CUdeviceptr pointer = new CUdeviceptr();
        if (bytes > 0) {
            StatusCheck.check("cuMemAlloc(" + bytes + " bytes)", JCudaDriver.cuMemAlloc(pointer, bytes),
                    CUresult::stringFor);
        }
        return new DeviceBuffer(pointer, bytes);
    }

    Pointer pointer() {
        return pointer;
    }

    long bytes() {
        return bytes;
    }

    @Override
    public void close() {
        if (!freed) {
            freed = true;
            if (bytes > 0) {
                StatusCheck.check("cuMemFree", JCudaDriver.cuMemFree(pointer), CUresult::stringFor);
            }
        }
    }
}
