package dev.sparseinfer.engine.backend.cuda;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.backend.cuda.lib.Cublas;
import dev.sparseinfer.engine.backend.cuda.lib.Cusparse;

/**
 * The library bindings of this build, one static entry point per library: the only lines that change when a
 * binding is added. This build has none yet, so each reports that it is not built, and the probe stops there.
 */
final class BoundCudaLibraries implements CudaLibraries {

    static final BoundCudaLibraries INSTANCE = new BoundCudaLibraries();

    private BoundCudaLibraries() {
    }

    @Override
    public Cublas openCublas() {
        throw new SparseInferException(SparseInferException.Code.BACKEND_UNAVAILABLE, "cuda: cuBLAS binding not built");
    }

    @Override
    public Cusparse openCusparse() {
        throw new SparseInferException(SparseInferException.Code.BACKEND_UNAVAILABLE, "cuda: cuSPARSE binding not built");
    }
}
