package dev.sparseinfer.cuda.lib;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Loads a library file by path, after those of its dependencies that sit in the user's folders. Libraries that
 * JCuda's natives link by soname ({@code libcublas.so.12}, {@code libcusparse.so.12}) then resolve to the copy
 * already in the process, since the dynamic linker matches a needed soname against the libraries it has loaded
 * before it searches any folder; so the user's folders need not be on {@code LD_LIBRARY_PATH} when the JVM starts.
 */
@SuppressWarnings("restricted") // calling native code is this class's job; the JVM runs with native access
final class NativeLibraryLoader {

    private final CudaLibraryLocator locator;

    NativeLibraryLoader(CudaLibraryLocator locator) {
        this.locator = locator;
    }

    /** Loads {@code library} into the process; throws {@link UnsatisfiedLinkError} as {@link System#load} does. */
    void load(Path library) {
        load(library, new HashSet<>());
    }

    /**
     * Loads only the dependencies of {@code library} found in the user's folders, for a caller that opens the
     * library itself (FFM's {@code SymbolLookup.libraryLookup}).
     */
    void loadDependencies(Path library) {
        loadDependencies(library, new HashSet<>());
    }

    private void load(Path library, Set<Path> visited) {
        if (visited.add(library)) {
            loadDependencies(library, visited);
            System.load(library.toString());
        }
    }

    private void loadDependencies(Path library, Set<Path> visited) {
        for (String soname : dependencies(library)) {
            locator.findConfigured(soname).ifPresent(dependency -> load(dependency, visited));
        }
    }

    private static Iterable<String> dependencies(Path library) {
        try {
            return ElfDependencies.needed(library);
        } catch (IOException e) {
            UnsatisfiedLinkError error = new UnsatisfiedLinkError("cannot read " + library + ": " + e.getMessage());
            error.initCause(e);
            throw error;
        }
    }
}
