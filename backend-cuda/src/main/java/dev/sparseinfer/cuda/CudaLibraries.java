package dev.sparseinfer.cuda;

import dev.sparseinfer.cuda.lib.Cublas;
import dev.sparseinfer.cuda.lib.Cusparse;

/**
 * Where the CUDA backend gets its cuBLAS and cuSPARSE handles. Each call opens a new handle for the context current
 * on the calling thread; failing to open one throws {@code SparseInferException(BACKEND_UNAVAILABLE)} with a
 * one-line reason, which the probe reports as it is.
 */
public interface CudaLibraries {

    Cublas openCublas();

    Cusparse openCusparse();

    /** The bindings this build ships (see {@link BoundCudaLibraries}). */
    static CudaLibraries bound() {
        return BoundCudaLibraries.INSTANCE;
    }
}
