package dev.sparseinfer.cuda.lib;

import jcuda.Pointer;

/**
 * The device memory a CSR plan allocates for itself (cuSPARSE's work space, scratch operands) and the wait for the
 * device before it frees any. {@link DriverWorkspaceMemory} is the real one; tests stand in for the device.
 */
interface WorkspaceMemory {

    /** {@code bytes} of device memory; zero bytes allocate nothing and stand for the null pointer. */
    Buffer allocate(long bytes);

    /** Waits until the device has finished everything queued in the current context. */
    void synchronize();

    interface Buffer extends AutoCloseable {

        Pointer pointer();

        long bytes();

        /** Frees the memory; once only, later calls do nothing. */
        @Override
        void close();
    }
}
