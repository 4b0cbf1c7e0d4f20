package dev.sparseinfer.cuda.lib;

import dev.sparseinfer.engine.api.SparseInferException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * Picks the binding that reaches cuBLAS on this host: JCublas2 where {@code libcublas.so.12} loads (CUDA 12), FFM
 * downcalls into {@code libcublas.so.13} otherwise (CUDA 13, whose cuBLAS JCublas2's natives cannot link).
 */
public final class CublasBindings {

    static final String CUBLAS_12 = "libcublas.so.12";
    static final String CUBLAS_13 = "libcublas.so.13";
    static final String NOT_FOUND = "cuda: cuBLAS not found (need libcublas.so.12 or libcublas.so.13; set "
            + CudaLibraryLocator.FOLDERS_ENV + ")";

    private CublasBindings() {}

    /** A new cuBLAS handle through whichever binding works here; throws a one-line error where none does. */
    public static Cublas open() {
        CudaLibraryLocator locator = CudaLibraryLocator.fromEnvironment();
        NativeLibraryLoader loader = new NativeLibraryLoader(locator);
        return open(
                locator,
                library -> {
                    loader.load(library);
                    return JCublas2Binding.open(library);
                },
                library -> {
                    loader.loadDependencies(library);
                    return FfmCublas.open(library);
                });
    }

    /**
     * The choice itself, with the two ways of opening a handle passed in: each takes the library file found and may
     * throw {@link LinkageError} where the library does not load.
     */
    static Cublas open(CudaLibraryLocator locator, Function<Path, Cublas> jcublas2, Function<Path, Cublas> ffm) {
        Optional<Path> cublas12 = locator.find(CUBLAS_12);
        LinkageError jcublas2Failure = null;
        if (cublas12.isPresent()) {
            try {
                return jcublas2.apply(cublas12.get());
            } catch (LinkageError e) {
                jcublas2Failure = e;
            }
        }
        Optional<Path> cublas13 = locator.find(CUBLAS_13);
        if (cublas13.isPresent()) {
            try {
                return ffm.apply(cublas13.get());
            } catch (LinkageError e) {
                throw unavailable("cuda: " + cublas13.get() + " does not load: " + e.getMessage(), e);
            }
        }
        if (jcublas2Failure != null) {
            throw unavailable(
                    "cuda: " + cublas12.get() + " does not load through JCublas2: " + jcublas2Failure.getMessage(),
                    jcublas2Failure);
        }
        throw new SparseInferException(SparseInferException.Code.BACKEND_UNAVAILABLE, NOT_FOUND);
    }

    private static SparseInferException unavailable(String message, Throwable cause) {
        return new SparseInferException(SparseInferException.Code.BACKEND_UNAVAILABLE, message, cause);
    }
}
