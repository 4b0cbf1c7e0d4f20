package dev.sparseinfer.cuda;

import dev.sparseinfer.cuda.lib.Cublas;
import dev.sparseinfer.cuda.lib.CublasBindings;
import dev.sparseinfer.cuda.lib.Cusparse;
import dev.sparseinfer.cuda.lib.CusparseBindings;

/**
 * The library bindings of this build, one static entry point per library: JCublas2 or FFM for cuBLAS, JCusparse for
 * cuSPARSE (see {@code backend/cuda/lib}). Each throws a one-line reason where its library is missing.
 */
final class BoundCudaLibraries implements CudaLibraries {

    static final BoundCudaLibraries INSTANCE = new BoundCudaLibraries();

    private BoundCudaLibraries() {}

    @Override
    public Cublas openCublas() {
        return CublasBindings.open();
    }

    @Override
    public Cusparse openCusparse() {
        return CusparseBindings.open();
    }
}
