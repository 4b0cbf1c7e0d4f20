/**
 * The CUDA kernels, compiled by nvcc into a fatbin that ships as a resource of this jar, and their names.
 *
 * <p>Internal: may change without notice; the supported API is {@code dev.sparseinfer.engine.api}.
 */
package dev.sparseinfer.kernels;
