/**
 * The CUDA backend: internal, not API. The engine finds it through {@link java.util.ServiceLoader} (as a
 * {@code dev.sparseinfer.engine.backend.DeviceBackendProvider}) when this module is on the class path and a probe
 * ({@link dev.sparseinfer.cuda.CudaProbe}) finds a driver, a device with sparse tensor cores, the kernels and the
 * libraries; users choose it by backend name, never by these classes, which may change in any release.
 *
 * <p>{@link dev.sparseinfer.cuda.CudaBackend} runs every op on one device: our kernels (from the
 * {@code sparseinfer-kernels} fatbin) for the row-wise ops, 2:4 and w8a8 layers, cuBLAS for dense layers and
 * cuSPARSE for CSR layers; {@code LinearKernel} is where a weight format picks its kernel.
 */
package dev.sparseinfer.cuda;
