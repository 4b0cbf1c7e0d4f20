package dev.sparseinfer.cuda.lib;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * Device memory from the driver API ({@code cuMemAlloc}) in the calling thread's current context, where the
 * backend allocates all its memory. Touching {@link JCudaDriver} loads JCuda's driver natives, so only the methods
 * do.
 */
final class DriverWorkspaceMemory implements WorkspaceMemory {

    @Override
    public Buffer allocate(long bytes) {
        CUdeviceptr pointer = new CUdeviceptr();
        if (bytes > 0) {
            StatusCheck.check(
                    "cuMemAlloc(" + bytes + " bytes)", JCudaDriver.cuMemAlloc(pointer, bytes), CUresult::stringFor);
        }
        return new DriverBuffer(pointer, bytes);
    }

    @Override
    public void synchronize() {
        StatusCheck.check("cuCtxSynchronize", JCudaDriver.cuCtxSynchronize(), CUresult::stringFor);
    }

    private static final class DriverBuffer implements Buffer {

        private final CUdeviceptr pointer;
        private final long bytes;
        private boolean freed;

        DriverBuffer(CUdeviceptr pointer, long bytes) {
            this.pointer = pointer;
            this.bytes = bytes;
        }

        @Override
        public Pointer pointer() {
            return pointer;
        }

        @Override
        public long bytes() {
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
}
