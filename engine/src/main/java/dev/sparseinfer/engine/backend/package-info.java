/**
 * What a model graph needs from the hardware that runs it ({@link dev.sparseinfer.engine.backend.Backend}), the
 * prepared weights and activations backends hand out, and {@link dev.sparseinfer.engine.backend.BackendSelection},
 * which decides which backend runs a model; a device backend such as CUDA is found at run time through
 * {@link dev.sparseinfer.engine.backend.DeviceBackendProvider}.
 *
 * <p>Internal: may change without notice; the supported API is {@code dev.sparseinfer.engine.api}.
 */
package dev.sparseinfer.engine.backend;
