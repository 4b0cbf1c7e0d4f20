package dev.sparseinfer.engine.backend;

/**
 * A GPU backend a build may carry, found through {@link java.util.ServiceLoader}: nothing outside its own package
 * refers to it, so a build without {@code backend/cuda} still compiles and runs everything on the CPU.
 */
public interface DeviceBackendProvider {

    /** Checks this machine (driver, device, libraries, kernels) without opening anything yet. */
    DeviceProbe probe();
}
