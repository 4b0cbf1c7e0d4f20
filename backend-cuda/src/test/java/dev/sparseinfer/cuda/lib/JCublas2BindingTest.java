package dev.sparseinfer.cuda.lib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sparseinfer.cuda.lib.Cublas.ComputeType;
import dev.sparseinfer.cuda.lib.FakeCublas.Gemm;
import dev.sparseinfer.engine.api.SparseInferException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JCublas2 binding through JCuda's real natives, linked to a stand-in {@code libcublas.so.12} that sits in a
 * folder the dynamic linker does not search: the stand-in is loaded by path first, as the factory does with the
 * user's folders, and JCublas2's natives then resolve their soname to it. JCublas2 links once per process, so every
 * test of it here shares that one stand-in.
 */
class JCublas2BindingTest extends StandInCublasTests {

    @TempDir
    static Path folder;

    private static FakeCublas fake;

    @BeforeAll
    static void buildAndLoadStandIn() throws IOException {
        fake = FakeCublas.cublas12(folder);
        new NativeLibraryLoader(TestLibraries.locatorOver(folder)).load(fake.library);
    }

    @Override
    FakeCublas fake() {
        return fake;
    }

    @Override
    Cublas open() {
        return JCublas2Binding.open(fake.library);
    }

    @Test
    void theFactoryPicksJCublas2WhereLibcublas12Loads() {
        CudaLibraryLocator locator = TestLibraries.locatorOver(folder);
        NativeLibraryLoader loader = new NativeLibraryLoader(locator);
        try (Cublas cublas = CublasBindings.open(
                locator,
                library -> {
                    loader.load(library);
                    return JCublas2Binding.open(library);
                },
                library -> {
                    throw new AssertionError("FFM opened " + library);
                })) {
            assertInstanceOf(JCublas2Binding.class, cublas);
            assertEquals("JCublas2 " + fake.library, cublas.binding());
        }
    }

    @Test
    void errorsNameTheStatusFromJCublasTable() throws Throwable {
        try (Cublas cublas = open()) {
            fake.setStatus("cublasGemmEx", 13);
            SparseInferException e = assertThrows(
                    SparseInferException.class,
                    () -> Gemm.random(new Random(4), ComputeType.F32).runOn(cublas));
            assertEquals("cuda: cublasGemmEx failed: CUBLAS_STATUS_EXECUTION_FAILED", e.getMessage());
        }
    }
}
