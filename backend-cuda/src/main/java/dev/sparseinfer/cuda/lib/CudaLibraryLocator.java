package dev.sparseinfer.cuda.lib;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Finds a CUDA library file by its soname. The GPU hosts keep cuBLAS and cuSPARSE inside Python {@code nvidia/*}
 * package folders that the dynamic linker does not know, so folders named by the user come first; then
 * {@code LD_LIBRARY_PATH}; then wherever the standard loader would look ({@link LoaderCache}).
 *
 * <p>A user's folder also stands for the {@code lib} folders of its subfolders, so naming a Python
 * {@code site-packages/nvidia} folder covers both wheel layouts: CUDA 12's one folder per library
 * ({@code nvidia/cublas/lib}, {@code nvidia/cusparse/lib}, ...) and CUDA 13's shared {@code nvidia/cu13/lib}.
 */
public final class CudaLibraryLocator {

    /** System property naming extra library folders, separated by {@link File#pathSeparator}. */
    public static final String FOLDERS_PROPERTY = "sparseinfer.cuda.libs";
    /** Environment variable naming extra library folders; the system property wins when both are set. */
    public static final String FOLDERS_ENV = "SPARSEINFER_CUDA_LIBS";

    private final List<Path> configured;
    private final List<Path> loaderPath;
    private final Function<String, Optional<Path>> standardLoader;

    CudaLibraryLocator(List<Path> configured, List<Path> loaderPath, Function<String, Optional<Path>> standardLoader) {
        this.configured = List.copyOf(configured);
        this.loaderPath = List.copyOf(loaderPath);
        this.standardLoader = standardLoader;
    }

    /** The locator this process's settings describe. */
    public static CudaLibraryLocator fromEnvironment() {
        return of(
                System.getProperty(FOLDERS_PROPERTY),
                System.getenv(FOLDERS_ENV),
                System.getenv("LD_LIBRARY_PATH"),
                LoaderCache::find);
    }

    static CudaLibraryLocator of(
            String property, String env, String ldLibraryPath, Function<String, Optional<Path>> standardLoader) {
        String folders = property != null && !property.isBlank() ? property : env;
        return new CudaLibraryLocator(withWheelLibFolders(folders(folders)), folders(ldLibraryPath), standardLoader);
    }

    /** Each folder, then the {@code lib} folders of its subfolders, in name order. */
    private static List<Path> withWheelLibFolders(List<Path> folders) {
        List<Path> expanded = new ArrayList<>();
        for (Path folder : folders) {
            expanded.add(folder);
            try (Stream<Path> children = Files.list(folder)) {
                children.map(child -> child.resolve("lib"))
                        .filter(Files::isDirectory)
                        .sorted()
                        .forEach(expanded::add);
            } catch (IOException | UncheckedIOException e) {
                // Not a readable folder: nothing is found in it, as for any folder that lacks the library.
            }
        }
        return expanded;
    }

    /** The library file named {@code soname}, from the first place that holds it. */
    public Optional<Path> find(String soname) {
        return findConfigured(soname).or(() -> findIn(loaderPath, soname)).or(() -> standardLoader.apply(soname));
    }

    /**
     * The library file named {@code soname} in the user's folders only: those are the ones the dynamic linker
     * does not search by itself, so only libraries found there need loading by path.
     */
    public Optional<Path> findConfigured(String soname) {
        return findIn(configured, soname);
    }

    private static Optional<Path> findIn(List<Path> folders, String soname) {
        for (Path folder : folders) {
            Path candidate = folder.resolve(soname);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    private static List<Path> folders(String list) {
        List<Path> folders = new ArrayList<>();
        if (list == null) {
            return folders;
        }
        for (String entry : list.split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                folders.add(Path.of(entry.strip()));
            }
        }
        return folders;
    }
}
