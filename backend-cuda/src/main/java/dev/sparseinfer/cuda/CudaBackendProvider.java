package dev.sparseinfer.cuda;

import dev.sparseinfer.engine.backend.DeviceBackendProvider;
import dev.sparseinfer.engine.backend.DeviceProbe;

/** Offers the CUDA backend to {@code BackendSelection} once {@link CudaProbe} finds everything it needs. */
public final class CudaBackendProvider implements DeviceBackendProvider {

    @Override
    public DeviceProbe probe() {
        CudaAvailability found = CudaProbe.system();
        return found.available()
                ? DeviceProbe.ready(() -> CudaBackend.open(found))
                : DeviceProbe.missing(found.reason());
    }
}
