package dev.sparseinfer.cuda.lib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sparseinfer.cuda.lib.Cublas.ComputeType;
import dev.sparseinfer.cuda.lib.FakeCublas.Gemm;
import dev.sparseinfer.engine.api.SparseInferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The FFM binding against a stand-in {@code libcublas.so.13}, built with gcc at test time. */
class FfmCublasTest extends StandInCublasTests {

    @TempDir
    static Path folder;

    private static FakeCublas fake;

    @BeforeAll
    static void buildStandIn() throws IOException {
        fake = FakeCublas.cublas13(folder, true);
    }

    @Override
    FakeCublas fake() {
        return fake;
    }

    @Override
    Cublas open() {
        return FfmCublas.open(fake.library);
    }

    @Test
    void saysItIsFfmAndWhichFile() {
        try (Cublas cublas = open()) {
            assertEquals("FFM " + fake.library, cublas.binding());
        }
    }

    @Test
    void errorsCarryTheLibrarysOwnStatusText() throws Throwable {
        try (Cublas cublas = open()) {
            fake.setStatus("cublasGemmEx", 7);
            SparseInferException e = assertThrows(
                    SparseInferException.class,
                    () -> Gemm.random(new Random(2), ComputeType.F32).runOn(cublas));
            assertEquals(
                    "cuda: cublasGemmEx failed: CUBLAS_STATUS_INVALID_VALUE (an invalid value was used as an argument)",
                    e.getMessage());
            fake.setStatus("cublasGemmEx", 16);
            e = assertThrows(
                    SparseInferException.class,
                    () -> Gemm.random(new Random(3), ComputeType.F32).runOn(cublas));
            assertEquals("cuda: cublasGemmEx failed: CUBLAS_STATUS_LICENSE_ERROR (fake status)", e.getMessage());
        }
    }

    @Test
    void statusNamesComeFromJCublasTableWhereTheLibraryHasNoStatusText(@TempDir Path older) throws Throwable {
        FakeCublas olderFake = FakeCublas.cublas13(older, false);
        try (Cublas cublas = FfmCublas.open(olderFake.library)) {
            olderFake.setStatus("cublasGemmEx", 13);
            SparseInferException e = assertThrows(
                    SparseInferException.class,
                    () -> Gemm.random(new Random(3), ComputeType.F32).runOn(cublas));
            assertEquals("cuda: cublasGemmEx failed: CUBLAS_STATUS_EXECUTION_FAILED", e.getMessage());
            olderFake.setStatus("cublasGemmEx", 0);
        }
    }

    @Test
    void theFactoryFallsThroughToFfmWhenJCublas2CannotLink(@TempDir Path cuda12) throws Throwable {
        Files.createFile(cuda12.resolve("libcublas.so.12"));
        CudaLibraryLocator locator = TestLibraries.locatorOver(cuda12, folder);
        try (Cublas cublas = CublasBindings.open(
                locator,
                path -> {
                    throw new UnsatisfiedLinkError("libcublas.so.12: cannot open shared object file");
                },
                FfmCublas::open)) {
            assertInstanceOf(FfmCublas.class, cublas);
            assertEquals("FFM " + fake.library, cublas.binding());
        }
    }
}
