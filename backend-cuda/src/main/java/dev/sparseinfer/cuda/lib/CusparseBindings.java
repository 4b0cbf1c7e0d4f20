package dev.sparseinfer.cuda.lib;

import dev.sparseinfer.engine.api.SparseInferException;
import java.nio.file.Path;
import java.util.function.Function;

/** Opens cuSPARSE through JCusparse, from {@code libcusparse.so.12} wherever the locator finds it. */
public final class CusparseBindings {

    static final String CUSPARSE_12 = "libcusparse.so.12";
    static final String NOT_FOUND =
            "cuda: cuSPARSE not found (need libcusparse.so.12; set " + CudaLibraryLocator.FOLDERS_ENV + ")";

    private CusparseBindings() {}

    /** A new cuSPARSE handle; throws a one-line error where cuSPARSE is missing or does not load. */
    public static Cusparse open() {
        CudaLibraryLocator locator = CudaLibraryLocator.fromEnvironment();
        NativeLibraryLoader loader = new NativeLibraryLoader(locator);
        return open(locator, library -> {
            loader.load(library);
            return JCusparseBinding.open(library);
        });
    }

    /** The same, with the way of opening a handle passed in; it may throw {@link LinkageError}. */
    static Cusparse open(CudaLibraryLocator locator, Function<Path, Cusparse> jcusparse) {
        Path library = locator.find(CUSPARSE_12)
                .orElseThrow(() -> new SparseInferException(SparseInferException.Code.BACKEND_UNAVAILABLE, NOT_FOUND));
        try {
            return jcusparse.apply(library);
        } catch (LinkageError e) {
            throw new SparseInferException(
                    SparseInferException.Code.BACKEND_UNAVAILABLE,
                    "cuda: " + library + " does not load through JCusparse: " + e.getMessage(),
                    e);
        }
    }
}
