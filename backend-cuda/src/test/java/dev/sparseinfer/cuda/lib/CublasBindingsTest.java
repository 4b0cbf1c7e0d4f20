package dev.sparseinfer.cuda.lib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sparseinfer.engine.api.SparseInferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which binding the factory picks, with each way of opening cuBLAS replaced by one that records its calls. */
class CublasBindingsTest {

    @TempDir
    Path root;

    private final List<String> attempts = new ArrayList<>();

    @Test
    void jcublas2IsPreferredWhereLibcublas12Loads() throws IOException {
        Path folder = folderWith("libcublas.so.12", "libcublas.so.13");
        Cublas chosen = CublasBindings.open(TestLibraries.locatorOver(folder), opens("jcublas2"), opens("ffm"));
        assertEquals("jcublas2 " + folder.resolve("libcublas.so.12"), chosen.binding());
        assertEquals(List.of("jcublas2"), attempts);
    }

    @Test
    void ffmTakesOverWhenJCublas2CannotLink() throws IOException {
        Path folder = folderWith("libcublas.so.12", "libcublas.so.13");
        Cublas chosen = CublasBindings.open(TestLibraries.locatorOver(folder), failsToLink("jcublas2"), opens("ffm"));
        assertEquals("ffm " + folder.resolve("libcublas.so.13"), chosen.binding());
        assertEquals(List.of("jcublas2", "ffm"), attempts);
    }

    @Test
    void jcublas2IsNotTouchedWithoutLibcublas12() throws IOException {
        Path folder = folderWith("libcublas.so.13");
        Cublas chosen = CublasBindings.open(TestLibraries.locatorOver(folder), opens("jcublas2"), opens("ffm"));
        assertEquals("ffm " + folder.resolve("libcublas.so.13"), chosen.binding());
        assertEquals(List.of("ffm"), attempts);
    }

    @Test
    void neitherLibraryIsTheOneLineError() throws IOException {
        Path folder = folderWith();
        SparseInferException e = assertThrows(
                SparseInferException.class,
                () -> CublasBindings.open(TestLibraries.locatorOver(folder), opens("jcublas2"), opens("ffm")));
        assertEquals(SparseInferException.Code.BACKEND_UNAVAILABLE, e.code());
        assertEquals(
                "cuda: cuBLAS not found (need libcublas.so.12 or libcublas.so.13; set SPARSEINFER_CUDA_LIBS)",
                e.getMessage());
        assertEquals(List.of(), attempts);
    }

    @Test
    void aLibcublas12ThatDoesNotLinkIsNamedWhenThereIsNoLibcublas13() throws IOException {
        Path folder = folderWith("libcublas.so.12");
        SparseInferException e = assertThrows(
                SparseInferException.class,
                () -> CublasBindings.open(TestLibraries.locatorOver(folder), failsToLink("jcublas2"), opens("ffm")));
        assertEquals(SparseInferException.Code.BACKEND_UNAVAILABLE, e.code());
        assertEquals(
                "cuda: " + folder.resolve("libcublas.so.12") + " does not load through JCublas2: "
                        + "jcublas2 cannot link",
                e.getMessage());
    }

    @Test
    void aLibcublas13ThatDoesNotLoadIsNamed() throws IOException {
        Path folder = folderWith("libcublas.so.13");
        SparseInferException e = assertThrows(
                SparseInferException.class,
                () -> CublasBindings.open(TestLibraries.locatorOver(folder), opens("jcublas2"), failsToLink("ffm")));
        assertEquals("cuda: " + folder.resolve("libcublas.so.13") + " does not load: ffm cannot link", e.getMessage());
    }

    @Test
    void theFactorySaysInOneLineThatThisMachineHasNoCublas() {
        CudaLibraryLocator here = CudaLibraryLocator.fromEnvironment();
        assumeTrue(
                here.find(CublasBindings.CUBLAS_12).isEmpty()
                        && here.find(CublasBindings.CUBLAS_13).isEmpty(),
                "cuBLAS is installed here");
        SparseInferException e = assertThrows(SparseInferException.class, CublasBindings::open);
        assertEquals(SparseInferException.Code.BACKEND_UNAVAILABLE, e.code());
        assertEquals(CublasBindings.NOT_FOUND, e.getMessage());
    }

    @Test
    void aFileThatIsNoLibraryFailsAsALinkErrorAndFallsThrough() throws IOException {
        Path folder = folderWith("libcublas.so.12", "libcublas.so.13");
        NativeLibraryLoader loader = new NativeLibraryLoader(TestLibraries.locatorOver(folder));
        Cublas chosen = CublasBindings.open(
                TestLibraries.locatorOver(folder),
                path -> {
                    attempts.add("jcublas2");
                    loader.load(path);
                    throw new AssertionError("an empty file loaded as a library");
                },
                opens("ffm"));
        assertEquals("ffm " + folder.resolve("libcublas.so.13"), chosen.binding());
        assertEquals(List.of("jcublas2", "ffm"), attempts);
    }

    private Path folderWith(String... sonames) throws IOException {
        Path folder = Files.createTempDirectory(root, "cuda");
        for (String soname : sonames) {
            Files.createFile(folder.resolve(soname));
        }
        return folder;
    }

    private Function<Path, Cublas> opens(String name) {
        return library -> {
            attempts.add(name);
            return new NamedCublas(name + " " + library);
        };
    }

    private Function<Path, Cublas> failsToLink(String name) {
        return library -> {
            attempts.add(name);
            throw new UnsatisfiedLinkError(name + " cannot link");
        };
    }

    /** A binding that only says which it is: the choice is under test, not the calls. */
    private record NamedCublas(String binding) implements Cublas {
        @Override
        public void setStream(long stream) {
            throw new UnsupportedOperationException();
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
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {}
    }
}
