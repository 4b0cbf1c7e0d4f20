/**
 * The CUDA backend's bindings to cuBLAS and cuSPARSE: internal, not API. They find the libraries by soname
 * ({@link dev.sparseinfer.cuda.lib.CudaLibraryLocator}: the folders in {@code -Dsparseinfer.cuda.libs} or
 * {@code SPARSEINFER_CUDA_LIBS}, then {@code LD_LIBRARY_PATH}, then the standard loader) and reach cuBLAS through
 * JCublas2 ({@code libcublas.so.12}) or FFM ({@code libcublas.so.13}), cuSPARSE through JCusparse
 * ({@code libcusparse.so.12}). Used only by {@code dev.sparseinfer.cuda}; they may change in any release.
 */
package dev.sparseinfer.cuda.lib;
