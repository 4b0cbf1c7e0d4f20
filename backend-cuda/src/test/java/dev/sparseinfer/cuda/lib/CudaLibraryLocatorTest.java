package dev.sparseinfer.cuda.lib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CudaLibraryLocatorTest {

    private static final String CUBLAS = "libcublas.so.13";

    @TempDir
    Path root;

    @Test
    void userFoldersComeBeforeTheLoaderPathAndTheStandardLoader() throws IOException {
        Path user = library("user");
        library("loader");
        CudaLibraryLocator locator = CudaLibraryLocator.of(
                null,
                folders("empty", "user"),
                folders("loader"),
                soname -> Optional.of(root.resolve("system").resolve(soname)));
        assertEquals(Optional.of(user), locator.find(CUBLAS));
    }

    @Test
    void thePropertyWinsOverTheEnvironment() throws IOException {
        Path fromProperty = library("property");
        library("env");
        CudaLibraryLocator locator = CudaLibraryLocator.of(folders("property"), folders("env"), null, none());
        assertEquals(Optional.of(fromProperty), locator.find(CUBLAS));
        assertEquals(Optional.of(fromProperty), locator.findConfigured(CUBLAS));
    }

    @Test
    void theEnvironmentCountsWhereThePropertyIsBlank() throws IOException {
        Path fromEnv = library("env");
        CudaLibraryLocator locator = CudaLibraryLocator.of(" ", folders("env"), null, none());
        assertEquals(Optional.of(fromEnv), locator.find(CUBLAS));
    }

    @Test
    void theLoaderPathComesBeforeTheStandardLoaderButIsNotAUserFolder() throws IOException {
        Path onLoaderPath = library("loader");
        CudaLibraryLocator locator = CudaLibraryLocator.of(
                null,
                null,
                folders("empty", "loader"),
                soname -> Optional.of(root.resolve("system").resolve(soname)));
        assertEquals(Optional.of(onLoaderPath), locator.find(CUBLAS));
        assertEquals(Optional.empty(), locator.findConfigured(CUBLAS));
    }

    @Test
    void theStandardLoaderIsAskedLast() {
        Path system = root.resolve("system").resolve(CUBLAS);
        CudaLibraryLocator locator = CudaLibraryLocator.of(
                folders("a"),
                null,
                folders("b"),
                soname -> soname.equals(CUBLAS) ? Optional.of(system) : Optional.empty());
        assertEquals(Optional.of(system), locator.find(CUBLAS));
        assertEquals(Optional.empty(), locator.find("libcusparse.so.12"));
    }

    @Test
    void aPythonNvidiaFolderStandsForTheLibFoldersOfItsCuda12AndCuda13Wheels() throws IOException {
        Path cuda13 = library("site/nvidia/cu13/lib");
        Path cusparse = Files.createFile(root.resolve("site/nvidia/cu13/lib/libcusparse.so.12"))
                .toAbsolutePath();
        Path cuda12 = Files.createFile(Files.createDirectories(root.resolve("site/nvidia/cublas/lib"))
                        .resolve("libcublas.so.12"))
                .toAbsolutePath();
        Files.createDirectories(root.resolve("site/nvidia/cu13/include"));
        CudaLibraryLocator locator = CudaLibraryLocator.of(null, folders("site/nvidia"), null, none());
        assertEquals(Optional.of(cuda13), locator.findConfigured(CUBLAS));
        assertEquals(Optional.of(cusparse), locator.findConfigured("libcusparse.so.12"));
        assertEquals(Optional.of(cuda12), locator.findConfigured("libcublas.so.12"));
    }

    @Test
    void aLibraryInTheFolderItselfComesBeforeItsSubfolders() throws IOException {
        Path direct = library("nvidia");
        library("nvidia/cu13/lib");
        CudaLibraryLocator locator = CudaLibraryLocator.of(folders("nvidia"), null, null, none());
        assertEquals(Optional.of(direct), locator.find(CUBLAS));
    }

    @Test
    void theLoaderPathIsSearchedAsItIsNamed() throws IOException {
        library("loader/cu13/lib");
        CudaLibraryLocator locator = CudaLibraryLocator.of(null, null, folders("loader"), none());
        assertEquals(Optional.empty(), locator.find(CUBLAS));
    }

    @Test
    void aFolderNamedLikeTheLibraryIsNotTheLibrary() throws IOException {
        Files.createDirectories(root.resolve("odd").resolve(CUBLAS));
        CudaLibraryLocator locator = CudaLibraryLocator.of(folders("odd"), null, null, none());
        assertEquals(Optional.empty(), locator.find(CUBLAS));
    }

    @Test
    void aLibraryInNoFolderIsNotFound() {
        CudaLibraryLocator locator = CudaLibraryLocator.of(folders("a"), folders("b"), folders("c"), none());
        assertEquals(Optional.empty(), locator.find(CUBLAS));
    }

    @Test
    void ldconfigListingsAreReadBySonameFor64BitX86Only() throws IOException {
        Path thirtyTwoBit = library("cache32");
        Path cached = library("cache");
        String listing = """
                4 libs found in cache `/etc/ld.so.cache'
                \tlibcublasLt.so.13 (libc6,x86-64) => /nowhere/libcublasLt.so.13
                \tlibcublas.so.13 (libc6) => %s
                \tlibcublas.so.13 (libc6,x86-64) => %s
                """.formatted(thirtyTwoBit, cached);
        assertEquals(Optional.of(cached), LoaderCache.cached(listing, CUBLAS));
        assertEquals(Optional.empty(), LoaderCache.cached(listing, "libcublasLt.so.13"));
        assertEquals(Optional.empty(), LoaderCache.cached(listing, "libcublas.so.1"));
    }

    @Test
    void theStandardLoaderFindsTheCLibrary() {
        Optional<Path> libc = LoaderCache.find("libc.so.6");
        assertTrue(libc.isPresent() && Files.isRegularFile(libc.get()), libc.toString());
        assertEquals(Optional.empty(), LoaderCache.find("libsparseinfer-no-such-library.so.1"));
    }

    private Path library(String folder) throws IOException {
        Path directory = Files.createDirectories(root.resolve(folder));
        return Files.createFile(directory.resolve(CUBLAS)).toAbsolutePath();
    }

    private String folders(String... names) {
        StringBuilder list = new StringBuilder();
        for (String name : names) {
            list.append(root.resolve(name)).append(File.pathSeparator);
        }
        return list.toString();
    }

    private static Function<String, Optional<Path>> none() {
        return soname -> Optional.empty();
    }
}
