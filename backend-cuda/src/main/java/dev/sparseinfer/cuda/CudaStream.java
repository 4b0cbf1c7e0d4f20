package dev.sparseinfer.cuda;

import jcuda.Pointer;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

/**
 * The backend's one stream: every kernel, library call and copy of a backend instance is ordered on it, so the
 * only synchronisation is the wait before results are read on the host. Non-blocking: nothing here relies on the
 * legacy default stream, and an implicit sync with it (another thread's synchronous call) would break a graph
 * recording in progress.
 */
final class CudaStream implements AutoCloseable {

    private final CUstream stream;

    CudaStream() {
        stream = new CUstream();
        CudaResult.check(JCudaDriver.cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING), "cuStreamCreate");
    }

    CUstream handle() {
        return stream;
    }

    /** The raw handle, for the libraries' {@code setStream}. */
    long address() {
        return NativeAddress.of(stream);
    }

    /**
     * Host to device, ordered on the stream. Java arrays are pageable memory, which the driver stages before the
     * call returns, so the array may change or go away right after.
     */
    void upload(long device, Pointer host, long bytes) {
        CudaResult.check(
                JCudaDriver.cuMemcpyHtoDAsync(NativeAddress.devicePointer(device), host, bytes, stream),
                "cuMemcpyHtoDAsync");
    }

    /** Device to host: waits for everything enqueued before it, and for the copy itself. */
    void download(Pointer host, long device, long bytes) {
        CudaResult.check(
                JCudaDriver.cuMemcpyDtoHAsync(host, NativeAddress.devicePointer(device), bytes, stream),
                "cuMemcpyDtoHAsync");
        synchronize();
    }

    void synchronize() {
        CudaResult.check(JCudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize");
    }

    @Override
    public void close() {
        CudaResult.check(JCudaDriver.cuStreamDestroy(stream), "cuStreamDestroy");
    }
}
