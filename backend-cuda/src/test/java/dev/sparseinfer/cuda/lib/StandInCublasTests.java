package dev.sparseinfer.cuda.lib;

import static dev.sparseinfer.cuda.lib.FakeCublas.hex;
import static dev.sparseinfer.cuda.lib.FakeCublas.hexFloat;
import static dev.sparseinfer.cuda.lib.FakeCublas.withoutScales;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.cuda.lib.Cublas.ComputeType;
import dev.sparseinfer.cuda.lib.FakeCublas.Gemm;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.testing.Seeds;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every cuBLAS binding must do, checked against a stand-in library that records the arguments it receives:
 * the only way to check a binding's calls on a machine without cuBLAS.
 */
abstract class StandInCublasTests {

    abstract FakeCublas fake();

    abstract Cublas open();

    @BeforeEach
    void everyCallSucceeds() throws Throwable {
        fake().everyCallSucceeds();
    }

    @Test
    void createsOneHandleAndDestroysThatHandle() throws Throwable {
        Cublas cublas = open();
        cublas.close();
        assertEquals(Map.of("handle", hex(FakeCublas.HANDLE)), fake().lastCall("cublasDestroy_v2"));
    }

    @Test
    void setStreamPassesTheHandleAndTheStreamAddress() throws Throwable {
        long seed = Seeds.fresh();
        long stream = new Random(seed).nextLong(1L << 12, 1L << 47);
        try (Cublas cublas = open()) {
            cublas.setStream(stream);
            assertEquals(
                    Map.of("handle", hex(FakeCublas.HANDLE), "stream", hex(stream)),
                    fake().lastCall("cublasSetStream_v2"),
                    "seed " + seed);
            cublas.setStream(0);
            assertEquals(
                    Map.of("handle", hex(FakeCublas.HANDLE), "stream", "0"), fake().lastCall("cublasSetStream_v2"));
        }
    }

    @Test
    void gemmExPassesEveryArgumentExactlyWithFp32Scales() throws Throwable {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        try (Cublas cublas = open()) {
            for (int trial = 0; trial < 20; trial++) {
                Gemm gemm = Gemm.random(random, ComputeType.F32);
                gemm.runOn(cublas);
                Map<String, String> call = fake().lastCall("cublasGemmEx");
                assertEquals(gemm.expectedCall(), withoutScales(call), "seed " + seed);
                assertEquals(
                        Float.floatToRawIntBits(gemm.alpha()),
                        Float.floatToRawIntBits(hexFloat(call.get("alpha"))),
                        "alpha, seed " + seed);
                assertEquals(
                        Float.floatToRawIntBits(gemm.beta()),
                        Float.floatToRawIntBits(hexFloat(call.get("beta"))),
                        "beta, seed " + seed);
            }
        }
    }

    @Test
    void gemmExPassesInt32ScalesForInt32Compute() throws Throwable {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        try (Cublas cublas = open()) {
            Gemm gemm = Gemm.random(random, ComputeType.I32)
                    .withScales(random.nextInt(-1000, 1000), random.nextInt(-1000, 1000));
            gemm.runOn(cublas);
            Map<String, String> call = fake().lastCall("cublasGemmEx");
            assertEquals(gemm.expectedCall(), withoutScales(call), "seed " + seed);
            assertEquals(Integer.toString((int) gemm.alpha()), call.get("alpha"), "seed " + seed);
            assertEquals(Integer.toString((int) gemm.beta()), call.get("beta"), "seed " + seed);
        }
    }

    @Test
    void fractionalScalesAreRejectedForInt32ComputeBeforeAnyCall() throws Throwable {
        try (Cublas cublas = open()) {
            Gemm gemm = Gemm.random(new Random(1), ComputeType.I32).withScales(0.5f, 0);
            Map<String, String> before = fake().lastCall("cublasGemmEx");
            SparseInferException e = assertThrows(SparseInferException.class, () -> gemm.runOn(cublas));
            assertEquals(SparseInferException.Code.INVALID_ARGUMENT, e.code());
            assertEquals(before, fake().lastCall("cublasGemmEx"));
        }
    }

    @Test
    void aFailedGemmExIsOneLineNamingTheFunctionAndTheStatus() throws Throwable {
        try (Cublas cublas = open()) {
            fake().setStatus("cublasGemmEx", 7);
            SparseInferException e = assertThrows(
                    SparseInferException.class,
                    () -> Gemm.random(new Random(2), ComputeType.F32).runOn(cublas));
            assertEquals(SparseInferException.Code.BACKEND_UNAVAILABLE, e.code());
            assertTrue(
                    e.getMessage().startsWith("cuda: cublasGemmEx failed: CUBLAS_STATUS_INVALID_VALUE"),
                    e.getMessage());
        }
    }

    @Test
    void aFailedSetStreamNamesItsFunction() throws Throwable {
        try (Cublas cublas = open()) {
            fake().setStatus("cublasSetStream_v2", 13);
            SparseInferException e = assertThrows(SparseInferException.class, () -> cublas.setStream(42));
            assertTrue(e.getMessage().startsWith("cuda: cublasSetStream_v2 failed: "), e.getMessage());
        }
    }

    @Test
    void aFailedCreateFailsTheOpen() throws Throwable {
        fake().setStatus("cublasCreate_v2", 1);
        SparseInferException e = assertThrows(SparseInferException.class, this::open);
        assertEquals(SparseInferException.Code.BACKEND_UNAVAILABLE, e.code());
        assertTrue(e.getMessage().startsWith("cuda: cublasCreate_v2 failed: "), e.getMessage());
    }

    @Test
    void aFailedDestroyIsReportedOnceAndCloseStaysIdempotent() throws Throwable {
        Cublas cublas = open();
        fake().setStatus("cublasDestroy_v2", 14);
        SparseInferException e = assertThrows(SparseInferException.class, cublas::close);
        assertTrue(e.getMessage().startsWith("cuda: cublasDestroy_v2 failed: "), e.getMessage());
        fake().setStatus("cublasDestroy_v2", 0);
        Map<String, String> before = fake().lastCall("cublasDestroy_v2");
        cublas.close();
        assertEquals(before, fake().lastCall("cublasDestroy_v2"));
    }
}
