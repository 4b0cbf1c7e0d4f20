package dev.sparseinfer.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.SparseInferException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CpuKernelProviderTest {

    @Test
    void withTheModuleTheVectorKernelsRunAtTheWidthAskedFor() {
        CpuKernelSelection preferred = CpuKernelProvider.select(true, null);
        assertTrue(preferred.vectorApi());
        assertEquals(VectorBitsProperty.PREFERRED, preferred.vectorBits());
        assertEquals(Optional.empty(), preferred.notice());
        assertEquals(256, CpuKernelProvider.select(true, "256").vectorBits());
    }

    @Test
    void withoutTheModuleTheScalarKernelsRunAndTheNoticeNamesTheFlag() {
        CpuKernelSelection scalar = CpuKernelProvider.select(false, null);
        assertFalse(scalar.vectorApi());
        assertEquals(
                Optional.of("cpu: the Vector API module is missing, running the scalar kernels (much slower);"
                        + " start the JVM with --add-modules jdk.incubator.vector"),
                scalar.notice());
        try (CpuBackend backend = new CpuBackend(scalar, 2)) {
            assertEquals("cpu (scalar, 2 threads)", backend.description());
            assertEquals(scalar.notice(), backend.notice());
        }
    }

    @Test
    void aBadWidthIsRefusedWhetherOrNotTheModuleIsThere() {
        for (boolean module : new boolean[] {true, false}) {
            SparseInferException e =
                    assertThrows(SparseInferException.class, () -> CpuKernelProvider.select(module, "300"));
            assertEquals(SparseInferException.Code.INVALID_ARGUMENT, e.code());
            assertTrue(e.getMessage().contains("got '300'"), e.getMessage());
        }
    }

    @Test
    void thisJvmDecidesOnceAndRunsTheVectorKernelsAtTheirWidth() {
        CpuKernelSelection selection = CpuKernelProvider.selection();
        assertSame(selection, CpuKernelProvider.selection());
        // The build's test JVMs start with the module (see jvm.modules in the parent pom).
        assertTrue(selection.vectorApi(), "the tests run with --add-modules jdk.incubator.vector");
        if (selection.vectorBits() != VectorBitsProperty.PREFERRED) {
            assertEquals(selection.vectorBits(), CpuVectorShape.FLOATS.vectorBitSize());
        }
        assertEquals(CpuVectorShape.FLOATS.vectorBitSize(), CpuVectorShape.INTS.vectorBitSize());
        try (CpuBackend backend = new CpuBackend(1)) {
            assertEquals(
                    "cpu (Vector API, " + CpuVectorShape.FLOATS.vectorBitSize() + "-bit, 1 thread)",
                    backend.description());
            assertEquals(Optional.empty(), backend.notice());
        }
    }
}
