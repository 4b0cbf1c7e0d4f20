package dev.sparseinfer.cuda;

import java.util.List;
import java.util.Optional;

/**
 * The steps that find out whether the CUDA backend can run here, in the order {@link CudaProbe} takes them. Each
 * is its own method so tests can take any one away; {@link JCudaPlatform} is the real machine.
 */
public interface CudaPlatform {

    /** Whether the dynamic linker finds the driver, {@code libcuda.so.1}, without loading any JCuda natives. */
    boolean driverLibraryFound();

    /** Loads JCuda's driver natives; empty when they load, else why not (one line). */
    Optional<String> loadDriverNatives();

    /**
     * Initialises the driver and lists its devices.
     *
     * @throws dev.sparseinfer.engine.api.SparseInferException naming the failed call and its result
     */
    List<CudaDeviceInfo> devices();

    /** The kernels fatbin this build carries, if nvcc built one. */
    Optional<byte[]> kernelFatbin();

    /**
     * Opens and closes a cuBLAS and a cuSPARSE handle on {@code device}, to show both libraries load.
     *
     * @throws dev.sparseinfer.engine.api.SparseInferException with the one-line reason when one does not
     */
    void openLibraries(CudaDeviceInfo device);
}
