package dev.sparseinfer.engine.backend.cuda.lib;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.backend.cuda.lib.Cublas.ComputeType;
import dev.sparseinfer.engine.backend.cuda.lib.Cublas.Transpose;
import dev.sparseinfer.engine.testing.Seeds;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives the FFM binding against a stand-in {@code libcublas.so.13} built from {@code fake_cublas.c}, which
 * records every argument it receives: the only way to check the downcall descriptors on a machine without cuBLAS.
 */
class FfmCublasTest {

    private static final long FAKE_HANDLE = 0x5eed0000c0deL;
    private static final String[] FUNCTIONS = {"cublasCreate_v2", "cublasDestroy_v2", "cublasSetStream_v2", "cublasGemmEx"};

    @TempDir
    static Path folder;

    private static Path library;
    private static MethodHandle setStatus;
    private static MethodHandle lastCall;

    @BeforeAll
    static void buildStandIn() throws IOException {
        library = TestLibraries.compileResource("fake_cublas.c", folder, "libcublas.so.13", "-DWITH_STATUS_TEXT");
        SymbolLookup fake = SymbolLookup.libraryLookup(library, Arena.global());
        Linker linker = Linker.nativeLinker();
        setStatus = linker.downcallHandle(fake.find("fake_set_status").orElseThrow(),
                FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        lastCall = linker.downcallHandle(fake.find("fake_last_call").orElseThrow(),
                FunctionDescriptor.of(ADDRESS, ADDRESS));
    }

    @BeforeEach
    void everyCallSucceeds() throws Throwable {
        for (String function : FUNCTIONS) {
            setStatus(function, 0);
        }
    }

    @Test
    void createsOneHandleAndDestroysThatHandle() throws Throwable {
        Cublas cublas = FfmCublas.open(library);
        assertEquals("FFM " + library, cublas.binding());
        cublas.close();
        assertEquals(Map.of("handle", hex(FAKE_HANDLE)), lastCall("cublasDestroy_v2"));
    }

    @Test
    void setStreamPassesTheHandleAndTheStreamAddress() throws Throwable {
        long seed = Seeds.fresh();
        long stream = new Random(seed).nextLong(1L << 12, 1L << 47);
        try (Cublas cublas = FfmCublas.open(library)) {
            cublas.setStream(stream);
            assertEquals(Map.of("handle", hex(FAKE_HANDLE), "stream", hex(stream)), lastCall("cublasSetStream_v2"),
                    "seed " + seed);
            cublas.setStream(0);
            assertEquals(Map.of("handle", hex(FAKE_HANDLE), "stream", "0"), lastCall("cublasSetStream_v2"));
        }
    }

    @Test
    void gemmExPassesEveryArgumentExactlyWithFp32Scales() throws Throwable {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        try (Cublas cublas = FfmCublas.open(library)) {
            for (int trial = 0; trial < 20; trial++) {
                Gemm gemm = Gemm.random(random, ComputeType.F32);
                gemm.runOn(cublas);
                Map<String, String> call = lastCall("cublasGemmEx");
                assertEquals(gemm.expectedCall(), withoutScales(call), "seed " + seed);
                assertEquals(Float.floatToRawIntBits(gemm.alpha), Float.floatToRawIntBits(hexFloat(call.get("alpha"))),
                        "alpha, seed " + seed);
                assertEquals(Float.floatToRawIntBits(gemm.beta), Float.floatToRawIntBits(hexFloat(call.get("beta"))),
                        "beta, seed " + seed);
            }
        }
    }

    @Test
    void gemmExPassesInt32ScalesForInt32Compute() throws Throwable {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        try (Cublas cublas = FfmCublas.open(library)) {
            Gemm gemm = Gemm.random(random, ComputeType.I32)
                    .withScales(random.nextInt(-1000, 1000), random.nextInt(-1000, 1000));
            gemm.runOn(cublas);
            Map<String, String> call = lastCall("cublasGemmEx");
            assertEquals(gemm.expectedCall(), withoutScales(call), "seed " + seed);
            assertEquals(Integer.toString((int) gemm.alpha), call.get("alpha"), "seed " + seed);
            assertEquals(Integer.toString((int) gemm.beta), call.get("beta"), "seed " + seed);
        }
    }

    @Test
    void fractionalScalesAreRejectedForInt32ComputeBeforeAnyCall() throws Throwable {
        try (Cublas cublas = FfmCublas.open(library)) {
            Gemm gemm = Gemm.random(new Random(1), ComputeType.I32).withScales(0.5f, 0);
            Map<String, String> before = lastCall("cublasGemmEx");
            SparseInferException e = assertThrows(SparseInferException.class, () -> gemm.runOn(cublas));
            assertEquals(SparseInferException.Code.INVALID_ARGUMENT, e.code());
            assertEquals(before, lastCall("cublasGemmEx"));
        }
    }

    @Test
    void aFailedGemmExIsOneLineNamingTheFunctionAndTheLibrarysStatusText() throws Throwable {
        try (Cublas cublas = FfmCublas.open(library)) {
            setStatus("cublasGemmEx", 7);
            SparseInferException e = assertThrows(SparseInferException.class,
                    () -> Gemm.random(new Random(2), ComputeType.F32).runOn(cublas));
            assertEquals(SparseInferException.Code.BACKEND_UNAVAILABLE, e.code());
            assertEquals("cuda: cublasGemmEx failed: CUBLAS_STATUS_INVALID_VALUE (an invalid value was used as an argument)",
                    e.getMessage());
        }
    }

    @Test
    void aFailedSetStreamNamesItsFunction() throws Throwable {
        try (Cublas cublas = FfmCublas.open(library)) {
            setStatus("cublasSetStream_v2", 16);
            SparseInferException e = assertThrows(SparseInferException.class, () -> cublas.setStream(42));
            assertEquals("cuda: cublasSetStream_v2 failed: CUBLAS_STATUS_LICENSE_ERROR (fake status)", e.getMessage());
        }
    }

    @Test
    void aFailedCreateFailsTheOpen() throws Throwable {
        setStatus("cublasCreate_v2", 1);
        SparseInferException e = assertThrows(SparseInferException.class, () -> FfmCublas.open(library));
        assertEquals(SparseInferException.Code.BACKEND_UNAVAILABLE, e.code());
        assertTrue(e.getMessage().startsWith("cuda: cublasCreate_v2 failed: "), e.getMessage());
    }

    @Test
    void aFailedDestroyIsReportedOnceAndCloseStaysIdempotent() throws Throwable {
        Cublas cublas = FfmCublas.open(library);
        setStatus("cublasDestroy_v2", 14);
        SparseInferException e = assertThrows(SparseInferException.class, cublas::close);
        assertTrue(e.getMessage().startsWith("cuda: cublasDestroy_v2 failed: "), e.getMessage());
        setStatus("cublasDestroy_v2", 0);
        Map<String, String> before = lastCall("cublasDestroy_v2");
        cublas.close();
        assertEquals(before, lastCall("cublasDestroy_v2"));
    }

    @Test
    void statusNamesComeFromJCublasTableWhereTheLibraryHasNoStatusText(@TempDir Path older) throws Throwable {
        Path olderLibrary = TestLibraries.compileResource("fake_cublas.c", older, "libcublas.so.13");
        SymbolLookup fake = SymbolLookup.libraryLookup(olderLibrary, Arena.global());
        MethodHandle olderSetStatus = Linker.nativeLinker().downcallHandle(fake.find("fake_set_status").orElseThrow(),
                FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        try (Cublas cublas = FfmCublas.open(olderLibrary); Arena arena = Arena.ofConfined()) {
            olderSetStatus.invokeExact(arena.allocateFrom("cublasGemmEx"), 13);
            SparseInferException e = assertThrows(SparseInferException.class,
                    () -> Gemm.random(new Random(3), ComputeType.F32).runOn(cublas));
            assertEquals("cuda: cublasGemmEx failed: CUBLAS_STATUS_EXECUTION_FAILED", e.getMessage());
            olderSetStatus.invokeExact(arena.allocateFrom("cublasGemmEx"), 0);
        }
    }

    @Test
    void theFactoryFallsThroughToFfmWhenJCublas2CannotLink(@TempDir Path cuda12) throws Throwable {
        Files.createFile(cuda12.resolve("libcublas.so.12"));
        CudaLibraryLocator locator = TestLibraries.locatorOver(cuda12, folder);
        try (Cublas cublas = CublasBindings.open(locator, path -> {
            throw new UnsatisfiedLinkError("libcublas.so.12: cannot open shared object file");
        }, FfmCublas::open)) {
            assertInstanceOf(FfmCublas.class, cublas);
            assertEquals("FFM " + library, cublas.binding());
        }
    }

    /** One {@code gemmEx} call with random sizes, types and device addresses (never dereferenced by the fake). */
    private record Gemm(Transpose transA, Transpose transB, int m, int n, int k, float alpha,
                        long a, DataType aType, int lda, long b, DataType bType, int ldb,
                        float beta, long c, DataType cType, int ldc, ComputeType compute) {

        static Gemm random(Random random, ComputeType compute) {
            Transpose[] transposes = Transpose.values();
            DataType[] types = DataType.values();
            int m = random.nextInt(1, 5000);
            int n = random.nextInt(1, 5000);
            int k = random.nextInt(1, 5000);
            return new Gemm(transposes[random.nextInt(2)], transposes[random.nextInt(2)], m, n, k,
                    (float) random.nextGaussian(), address(random), types[random.nextInt(types.length)],
                    m + random.nextInt(64), address(random), types[random.nextInt(types.length)],
                    k + random.nextInt(64), (float) random.nextGaussian(), address(random),
                    types[random.nextInt(types.length)], m + random.nextInt(64), compute);
        }

        Gemm withScales(float alpha, float beta) {
            return new Gemm(transA, transB, m, n, k, alpha, a, aType, lda, b, bType, ldb, beta, c, cType, ldc, compute);
        }

        void runOn(Cublas cublas) {
            cublas.gemmEx(transA, transB, m, n, k, alpha, a, aType, lda, b, bType, ldb, beta, c, cType, ldc, compute);
        }

        Map<String, String> expectedCall() {
            Map<String, String> call = new HashMap<>();
            call.put("handle", hex(FAKE_HANDLE));
            call.put("transa", Integer.toString(transA.code));
            call.put("transb", Integer.toString(transB.code));
            call.put("m", Integer.toString(m));
            call.put("n", Integer.toString(n));
            call.put("k", Integer.toString(k));
            call.put("A", hex(a));
            call.put("Atype", Integer.toString(aType.code));
            call.put("lda", Integer.toString(lda));
            call.put("B", hex(b));
            call.put("Btype", Integer.toString(bType.code));
            call.put("ldb", Integer.toString(ldb));
            call.put("C", hex(c));
            call.put("Ctype", Integer.toString(cType.code));
            call.put("ldc", Integer.toString(ldc));
            call.put("computeType", Integer.toString(compute.code));
            call.put("algo", "-1");
            return call;
        }

        private static long address(Random random) {
            return random.nextLong(1L << 32, 1L << 47) & ~0xFFL;
        }
    }

    private static void setStatus(String function, int status) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            setStatus.invokeExact(arena.allocateFrom(function), status);
        }
    }

    /** The fake's record of its last call to {@code function}, as {@code name=value} pairs. */
    private static Map<String, String> lastCall(String function) throws Throwable {
        String line;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment text = (MemorySegment) lastCall.invokeExact(arena.allocateFrom(function));
            line = text.reinterpret(Long.MAX_VALUE).getString(0);
        }
        Map<String, String> call = new HashMap<>();
        for (String pair : line.split(" ")) {
            if (!pair.isEmpty()) {
                int equals = pair.indexOf('=');
                call.put(pair.substring(0, equals), pair.substring(equals + 1));
            }
        }
        return call;
    }

    private static Map<String, String> withoutScales(Map<String, String> call) {
        Map<String, String> rest = new HashMap<>(call);
        rest.remove("alpha");
        rest.remove("beta");
        return rest;
    }

    /** C's {@code %a} output is a Java hexadecimal floating-point literal. */
    private static float hexFloat(String text) {
        return (float) Double.parseDouble(text);
    }

    private static String hex(long address) {
        return Long.toHexString(address);
    }
}
