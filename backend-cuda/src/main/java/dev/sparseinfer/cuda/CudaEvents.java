package dev.sparseinfer.cuda;

import jcuda.driver.CUevent;
import jcuda.driver.JCudaDriver;

/** A pair of CUDA events that time device work on a stream, free of host-side launch and sync overheads. */
final class CudaEvents implements AutoCloseable {

    private final CUevent start = new CUevent();
    private final CUevent stop = new CUevent();

    CudaEvents() {
        CudaResult.check(JCudaDriver.cuEventCreate(start, 0), "cuEventCreate");
        CudaResult.check(JCudaDriver.cuEventCreate(stop, 0), "cuEventCreate");
    }

    /** Milliseconds between the work's first and last enqueued op finishing on {@code stream}. */
    float millis(CudaStream stream, Runnable work) {
        CudaResult.check(JCudaDriver.cuEventRecord(start, stream.handle()), "cuEventRecord");
        work.run();
        CudaResult.check(JCudaDriver.cuEventRecord(stop, stream.handle()), "cuEventRecord");
        CudaResult.check(JCudaDriver.cuEventSynchronize(stop), "cuEventSynchronize");
        float[] millis = new float[1];
        CudaResult.check(JCudaDriver.cuEventElapsedTime(millis, start, stop), "cuEventElapsedTime");
        return millis[0];
    }

    @Override
    public void close() {
        CudaResult.check(JCudaDriver.cuEventDestroy(start), "cuEventDestroy");
        CudaResult.check(JCudaDriver.cuEventDestroy(stop), "cuEventDestroy");
    }
}
