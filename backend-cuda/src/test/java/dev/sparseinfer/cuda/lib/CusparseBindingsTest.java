package dev.sparseinfer.cuda.lib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sparseinfer.engine.api.SparseInferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CusparseBindingsTest {

    @TempDir
    Path folder;

    @Test
    void opensTheLibraryTheLocatorFinds() throws IOException {
        Path library = Files.createFile(folder.resolve("libcusparse.so.12"));
        Path[] opened = new Path[1];
        Cusparse cusparse = new NamedCusparse("stub");
        assertSame(cusparse, CusparseBindings.open(TestLibraries.locatorOver(folder), path -> {
            opened[0] = path;
            return cusparse;
        }));
        assertEquals(library, opened[0]);
    }

    @Test
    void aMissingLibraryIsTheOneLineError() {
        SparseInferException e = assertThrows(
                SparseInferException.class,
                () -> CusparseBindings.open(TestLibraries.locatorOver(folder), path -> {
                    throw new AssertionError("opened " + path);
                }));
        assertEquals(SparseInferException.Code.BACKEND_UNAVAILABLE, e.code());
        assertEquals("cuda: cuSPARSE not found (need libcusparse.so.12; set SPARSEINFER_CUDA_LIBS)", e.getMessage());
    }

    @Test
    void aLibraryThatDoesNotLinkIsNamedWithTheLinkError() throws IOException {
        Path library = Files.createFile(folder.resolve("libcusparse.so.12"));
        SparseInferException e = assertThrows(
                SparseInferException.class,
                () -> CusparseBindings.open(TestLibraries.locatorOver(folder), path -> {
                    throw new UnsatisfiedLinkError("libnvJitLink.so.13: cannot open shared object file");
                }));
        assertEquals(SparseInferException.Code.BACKEND_UNAVAILABLE, e.code());
        assertEquals(
                "cuda: " + library + " does not load through JCusparse: "
                        + "libnvJitLink.so.13: cannot open shared object file",
                e.getMessage());
    }

    @Test
    void theFactorySaysInOneLineThatThisMachineHasNoCusparse() {
        assumeTrue(
                CudaLibraryLocator.fromEnvironment()
                        .find(CusparseBindings.CUSPARSE_12)
                        .isEmpty(),
                "cuSPARSE is installed here");
        SparseInferException e = assertThrows(SparseInferException.class, CusparseBindings::open);
        assertEquals(SparseInferException.Code.BACKEND_UNAVAILABLE, e.code());
        assertEquals(CusparseBindings.NOT_FOUND, e.getMessage());
    }

    /** A binding that only says which it is: the choice is under test, not the calls. */
    private record NamedCusparse(String binding) implements Cusparse {
        @Override
        public void setStream(long stream) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CsrMatMul prepareCsr(
                int out,
                int in,
                int nonZeros,
                long rowOffsets,
                long columnIndices,
                long values,
                DataType valueType,
                DataType inputType,
                int maxTokens) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {}
    }
}
