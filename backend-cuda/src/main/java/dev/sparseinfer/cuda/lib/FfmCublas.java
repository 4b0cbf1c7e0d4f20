package dev.sparseinfer.cuda.lib;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.sparseinfer.engine.api.SparseInferException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Optional;

/**
 * cuBLAS through the JDK's FFM API, for hosts with only {@code libcublas.so.13}, which JCublas2's natives cannot
 * link. Binds exactly the entry points the backend needs, with the C prototypes of {@code cublas_api.h} (every
 * enum is a C {@code int}). The handle keeps cuBLAS's default host pointer mode, so alpha and beta are read from
 * host memory during the call.
 */
@SuppressWarnings("restricted") // calling native code is this class's job; the JVM runs with native access
final class FfmCublas implements Cublas {

    private static final Linker LINKER = Linker.nativeLinker();

    private final String binding;
    private final CublasStatusText statusText;
    private final MethodHandle destroy;
    private final MethodHandle setStream;
    private final MethodHandle gemmEx;
    private final Arena arena;
    private final MemorySegment alpha;
    private final MemorySegment beta;
    private final MemorySegment handle;
    private boolean closed;

    private FfmCublas(Path library, SymbolLookup symbols) {
        this.binding = "FFM " + library;
        this.statusText = CublasStatusText.of(symbols);
        MethodHandle create = downcall(library, symbols, "cublasCreate_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        this.destroy = downcall(library, symbols, "cublasDestroy_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        this.setStream =
                downcall(library, symbols, "cublasSetStream_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        this.gemmEx = downcall(
                library,
                symbols,
                "cublasGemmEx",
                FunctionDescriptor.of(
                        JAVA_INT, ADDRESS, // cublasHandle_t handle
                        JAVA_INT, JAVA_INT, // cublasOperation_t transa, transb
                        JAVA_INT, JAVA_INT, JAVA_INT, // int m, n, k
                        ADDRESS, // const void *alpha
                        ADDRESS, JAVA_INT, JAVA_INT, // const void *A, cudaDataType Atype, int lda
                        ADDRESS, JAVA_INT, JAVA_INT, // const void *B, cudaDataType Btype, int ldb
                        ADDRESS, // const void *beta
                        ADDRESS, JAVA_INT, JAVA_INT, // void *C, cudaDataType Ctype, int ldc
                        JAVA_INT, // cublasComputeType_t computeType
                        JAVA_INT)); // cublasGemmAlgo_t algo
        // Shared, not confined: one thread at a time uses the handle, but not always the same thread.
        this.arena = Arena.ofShared();
        this.alpha = arena.allocate(JAVA_INT);
        this.beta = arena.allocate(JAVA_INT);
        try {
            MemorySegment created = arena.allocate(ADDRESS);
            int status;
            try {
                status = (int) create.invokeExact(created);
            } catch (Throwable e) {
                throw unchecked(e);
            }
            statusText.check("cublasCreate_v2", status);
            this.handle = created.get(ADDRESS, 0);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** Creates a handle through the library at {@code library}, whose dependencies must already be loadable. */
    static FfmCublas open(Path library) {
        SymbolLookup symbols;
        try {
            // Loaded for the life of the process, as JCuda's natives are: handles may be opened again later.
            symbols = SymbolLookup.libraryLookup(library, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new SparseInferException(
                    SparseInferException.Code.BACKEND_UNAVAILABLE,
                    "cuda: cannot load " + library + ": " + e.getMessage(),
                    e);
        }
        return new FfmCublas(library, symbols);
    }

    @Override
    public String binding() {
        return binding;
    }

    @Override
    public void setStream(long stream) {
        int status;
        try {
            status = (int) setStream.invokeExact(handle, MemorySegment.ofAddress(stream));
        } catch (Throwable e) {
            throw unchecked(e);
        }
        statusText.check("cublasSetStream_v2", status);
    }

    @Override
    public void gemmEx(
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
        this.alpha.set(JAVA_INT, 0, CublasArguments.scaleBits(compute, alpha));
        this.beta.set(JAVA_INT, 0, CublasArguments.scaleBits(compute, beta));
        int status;
        try {
            status = (int) gemmEx.invokeExact(
                    handle,
                    transA.code,
                    transB.code,
                    m,
                    n,
                    k,
                    this.alpha,
                    MemorySegment.ofAddress(a),
                    aType.code,
                    lda,
                    MemorySegment.ofAddress(b),
                    bType.code,
                    ldb,
                    this.beta,
                    MemorySegment.ofAddress(c),
                    cType.code,
                    ldc,
                    compute.code,
                    CublasArguments.GEMM_DEFAULT_ALGO);
        } catch (Throwable e) {
            throw unchecked(e);
        }
        statusText.check("cublasGemmEx", status);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        int status;
        try {
            status = (int) destroy.invokeExact(handle);
        } catch (Throwable e) {
            throw unchecked(e);
        } finally {
            arena.close();
        }
        statusText.check("cublasDestroy_v2", status);
    }

    private static MethodHandle downcall(
            Path library, SymbolLookup symbols, String name, FunctionDescriptor descriptor) {
        Optional<MemorySegment> symbol = symbols.find(name);
        if (symbol.isEmpty()) {
            throw new SparseInferException(
                    SparseInferException.Code.BACKEND_UNAVAILABLE, "cuda: " + library + " lacks " + name);
        }
        return LINKER.downcallHandle(symbol.get(), descriptor);
    }

    /** Downcall handles declare {@link Throwable} but throw only unchecked exceptions. */
    private static RuntimeException unchecked(Throwable e) {
        if (e instanceof Error error) {
            throw error;
        }
        return e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
    }
}
