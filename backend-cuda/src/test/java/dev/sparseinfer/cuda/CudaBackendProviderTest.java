package dev.sparseinfer.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparseinfer.engine.backend.BackendSelection;
import dev.sparseinfer.engine.backend.DeviceProbe;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CudaBackendProviderTest {

    @Test
    void theEngineFindsThisModulesProviderAndItsProbe() {
        CudaAvailability direct = CudaProbe.system();
        DeviceProbe found = BackendSelection.probeDevice();
        assertEquals(direct.available(), found.available());
        assertEquals(direct.available() ? Optional.empty() : Optional.of(direct.reason()), found.missing());
    }
}
