package dev.sparseinfer.cuda.lib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Builds small shared libraries with gcc at test time, to stand in for CUDA libraries on machines without them. */
final class TestLibraries {

    private TestLibraries() {}

    /** A locator that searches {@code folders} only: no {@code LD_LIBRARY_PATH}, no system folders. */
    static CudaLibraryLocator locatorOver(Path... folders) {
        return new CudaLibraryLocator(List.of(folders), List.of(), soname -> Optional.empty());
    }

    /** Compiles the C file at {@code resource} (next to this class) into {@code folder/soname}. */
    static Path compileResource(String resource, Path folder, String soname, String... flags) throws IOException {
        Path source = folder.resolve(resource);
        try (InputStream in = TestLibraries.class.getResourceAsStream(resource)) {
            Files.copy(in, source);
        }
        return compile(source, folder, soname, flags);
    }

    /** Compiles C {@code code} into {@code folder/soname}, with that soname. */
    static Path compileSource(String code, Path folder, String soname, String... flags) throws IOException {
        Path source = Files.writeString(Files.createTempFile(folder, "source", ".c"), code);
        return compile(source, folder, soname, flags);
    }

    private static Path compile(Path source, Path folder, String soname, String... flags) throws IOException {
        assumeTrue(gccAvailable(), "gcc is not on the PATH, so no stand-in library can be built here");
        Path library = folder.resolve(soname);
        List<String> command = new ArrayList<>(List.of(
                "gcc",
                "-shared",
                "-fPIC",
                "-O1",
                "-Wall",
                "-Werror",
                "-Wl,-soname," + soname,
                "-o",
                library.toString(),
                source.toString()));
        command.addAll(List.of(flags));
        Process gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            assertEquals(0, gcc.waitFor(), () -> String.join(" ", command) + " failed:\n" + output);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return library;
    }

    private static boolean gccAvailable() {
        try {
            Process gcc = new ProcessBuilder("gcc", "--version")
                    .redirectErrorStream(true)
                    .start();
            gcc.getInputStream().readAllBytes();
            return gcc.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
