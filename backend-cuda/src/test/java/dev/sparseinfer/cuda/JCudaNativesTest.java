package dev.sparseinfer.cuda;

import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.jcusparse.JCusparse.cusparseCreate;
import static jcuda.jcusparse.JCusparse.cusparseDestroy;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import jcuda.driver.JCudaDriver;
import jcuda.jcusparse.JCusparse;
import jcuda.jcusparse.cusparseHandle;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The JCuda bindings load wherever a CUDA driver does: from the natives jars in a build, from
 * {@code java.library.path} in the GPU bundle. Only the driver's absence skips them; with a driver present, a
 * binding that does not load is a failure, as the CUDA backend could not run.
 */
@Tag("gpu")
class JCudaNativesTest {

    @BeforeEach
    void needsACudaDriver() {
        assumeTrue(driverLoads(), "no CUDA driver: libcuda.so.1 does not load on this host");
    }

    @Test
    void driverBindingSeesADevice() {
        JCudaDriver.setExceptionsEnabled(true);
        cuInit(0);
        int[] devices = new int[1];
        cuDeviceGetCount(devices);
        assertTrue(devices[0] > 0, "the CUDA driver loads but reports no device");
    }

    @Test
    void cusparseBindingCreatesAHandle() {
        // JCusparse needs libcusparse.so.12 on LD_LIBRARY_PATH at JVM start (check.sh puts the NVIDIA libraries
        // there); CUDA 13 still ships cuSPARSE under that name.
        JCusparse.setExceptionsEnabled(true);
        cusparseHandle handle = new cusparseHandle();
        cusparseCreate(handle);
        cusparseDestroy(handle);
    }

    private static boolean driverLoads() {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup.libraryLookup("libcuda.so.1", arena);
            return true;
        } catch (IllegalArgumentException absent) {
            return false;
        }
    }
}
