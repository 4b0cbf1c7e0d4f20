package dev.sparseinfer.cuda.lib;

import dev.sparseinfer.cuda.lib.Cublas.ComputeType;
import dev.sparseinfer.cuda.lib.Cublas.Transpose;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * A stand-in cuBLAS built from {@code fake_cublas.c}, and the test's view of it: which status each entry point
 * returns, and what each received on its last call.
 */
final class FakeCublas {

    /** The handle the stand-in's {@code cublasCreate_v2} hands out. */
    static final long HANDLE = 0x5eed0000c0deL;

    static final String[] FUNCTIONS = {"cublasCreate_v2", "cublasDestroy_v2", "cublasSetStream_v2", "cublasGemmEx"};

    final Path library;
    private final StandInLibrary standIn;

    private FakeCublas(StandInLibrary standIn) {
        this.standIn = standIn;
        this.library = standIn.library;
    }

    /** A {@code libcublas.so.13} in {@code folder}, with or without the status text functions. */
    static FakeCublas cublas13(Path folder, boolean withStatusText) throws IOException {
        return new FakeCublas(
                withStatusText
                        ? StandInLibrary.build("fake_cublas.c", null, folder, "libcublas.so.13", "-DWITH_STATUS_TEXT")
                        : StandInLibrary.build("fake_cublas.c", null, folder, "libcublas.so.13"));
    }

    /** A {@code libcublas.so.12} in {@code folder} whose symbols carry the version JCublas2's natives ask for. */
    static FakeCublas cublas12(Path folder) throws IOException {
        return new FakeCublas(StandInLibrary.build(
                "fake_cublas.c", "fake_cublas12.map", folder, "libcublas.so.12", "-DWITH_STATUS_TEXT"));
    }

    void everyCallSucceeds() throws Throwable {
        for (String function : FUNCTIONS) {
            setStatus(function, 0);
        }
    }

    void setStatus(String function, int status) throws Throwable {
        standIn.setStatus(function, status);
    }

    /** The stand-in's record of its last call to {@code function}, as {@code name=value} pairs. */
    Map<String, String> lastCall(String function) throws Throwable {
        return standIn.lastCall(function);
    }

    static String hex(long address) {
        return StandInLibrary.hex(address);
    }

    /** C's {@code %a} output is a Java hexadecimal floating-point literal. */
    static float hexFloat(String text) {
        return (float) Double.parseDouble(text);
    }

    static Map<String, String> withoutScales(Map<String, String> call) {
        Map<String, String> rest = new HashMap<>(call);
        rest.remove("alpha");
        rest.remove("beta");
        return rest;
    }

    /** One {@code gemmEx} call with random sizes, types and device addresses (never dereferenced by the fake). */
    record Gemm(
            Transpose transA,
            Transpose transB,
            int m,
            int n,
            int k,
            float alpha,
            long a,
            DataType aType,
            int lda,
            long b,
            DataType bType,
            int ldb,
            float beta,
            long c,
            DataType cType,
            int ldc,
            ComputeType compute) {

        static Gemm random(Random random, ComputeType compute) {
            Transpose[] transposes = Transpose.values();
            DataType[] types = DataType.values();
            int m = random.nextInt(1, 5000);
            int n = random.nextInt(1, 5000);
            int k = random.nextInt(1, 5000);
            return new Gemm(
                    transposes[random.nextInt(2)],
                    transposes[random.nextInt(2)],
                    m,
                    n,
                    k,
                    (float) random.nextGaussian(),
                    address(random),
                    types[random.nextInt(types.length)],
                    m + random.nextInt(64),
                    address(random),
                    types[random.nextInt(types.length)],
                    k + random.nextInt(64),
                    (float) random.nextGaussian(),
                    address(random),
                    types[random.nextInt(types.length)],
                    m + random.nextInt(64),
                    compute);
        }

        Gemm withScales(float alpha, float beta) {
            return new Gemm(transA, transB, m, n, k, alpha, a, aType, lda, b, bType, ldb, beta, c, cType, ldc, compute);
        }

        void runOn(Cublas cublas) {
            cublas.gemmEx(transA, transB, m, n, k, alpha, a, aType, lda, b, bType, ldb, beta, c, cType, ldc, compute);
        }

        /** What cuBLAS must receive, scales aside: the compute type as {@code cublasComputeType_t}. */
        Map<String, String> expectedCall() {
            Map<String, String> call = new HashMap<>();
            call.put("handle", hex(HANDLE));
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
}
