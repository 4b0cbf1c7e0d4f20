package dev.sparseinfer.cuda;

/**
 * Everything {@link CudaBackend} does on a device besides the libraries: its context, one stream, device memory,
 * kernel launches, copies, event timing and graph recording. {@link JCudaDevice} is the real one; tests run the
 * backend's orchestration on an emulation in plain Java, kernels included.
 *
 * <p>Work is enqueued on the stream in call order; only {@link #download} and {@link #synchronize} wait for it.
 */
interface CudaDevice extends AutoCloseable {

    /** Makes the device's context current on the calling thread. */
    void makeCurrent();

    DeviceAllocator allocator();

    KernelLauncher kernels();

    /** The stream's raw handle, for the libraries' {@code setStream}. */
    long stream();

    /** Host to device, ordered on the stream; the array may be reused as soon as the call returns. */
    void upload(long address, float[] host);

    void upload(long address, int[] host);

    void upload(long address, short[] host);

    /** Device to host, after everything enqueued before it. */
    void download(long address, float[] host);

    void synchronize();

    /** Device-to-device copy, ordered on the stream. */
    void copy(long to, long from, long bytes);

    /** Device time in milliseconds of the work {@code work} enqueues, from events around it on the stream. */
    float millis(Runnable work);

    /** From here until {@link #endRecording}, enqueued work is recorded instead of run. */
    void beginRecording();

    RecordedWork endRecording();

    /** Leaves recording after a failure inside it, dropping what was recorded. */
    void abandonRecording();

    @Override
    void close();

    /** Recorded device work: a CUDA graph on a GPU. */
    interface RecordedWork extends AutoCloseable {

        /** Enqueues the recorded work again, on the same addresses. */
        void launch();

        @Override
        void close();
    }
}
