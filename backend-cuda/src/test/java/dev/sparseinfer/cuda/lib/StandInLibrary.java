package dev.sparseinfer.cuda.lib;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A stand-in CUDA library built with gcc from a C file next to this class, and the test's view of it: each stand-in
 * exports {@code fake_set_status(function, status)} and {@code fake_last_call(function)}, which returns the
 * arguments of the function's last call as {@code name=value} pairs on one line.
 */
@SuppressWarnings("restricted") // calling native code is this class's job; the JVM runs with native access
final class StandInLibrary {

    final Path library;
    private final SymbolLookup symbols;
    private final MethodHandle setStatus;
    private final MethodHandle lastCall;

    private StandInLibrary(Path library) {
        this.library = library;
        this.symbols = SymbolLookup.libraryLookup(library, Arena.global());
        this.setStatus = function("fake_set_status", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        this.lastCall = function("fake_last_call", FunctionDescriptor.of(ADDRESS, ADDRESS));
    }

    /**
     * Builds {@code source} into {@code folder/soname}; with a {@code versions} script (a resource too), every
     * symbol carries the version JCuda's natives ask for.
     */
    static StandInLibrary build(String source, String versions, Path folder, String soname, String... flags)
            throws IOException {
        List<String> all = new ArrayList<>(List.of(flags));
        if (versions != null) {
            Path script = folder.resolve(versions);
            try (InputStream in = StandInLibrary.class.getResourceAsStream(versions)) {
                Files.copy(in, script);
            }
            all.add("-Wl,--version-script=" + script);
        }
        return new StandInLibrary(TestLibraries.compileResource(source, folder, soname, all.toArray(String[]::new)));
    }

    MethodHandle function(String name, FunctionDescriptor descriptor) {
        return Linker.nativeLinker().downcallHandle(symbols.find(name).orElseThrow(), descriptor);
    }

    void setStatus(String function, int status) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            setStatus.invokeExact(arena.allocateFrom(function), status);
        }
    }

    Map<String, String> lastCall(String function) throws Throwable {
        String line;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment text = (MemorySegment) lastCall.invokeExact(arena.allocateFrom(function));
            line = text.reinterpret(Long.MAX_VALUE).getString(0);
        }
        Map<String, String> call = new HashMap<>();
        for (String pair : line.split(" ")) {
            if (!pair.isEmpty()) {
                int equals = pair.indexOf('=');
                call.put(pair.substring(0, equals), pair.substring(equals + 1));
            }
        }
        return call;
    }

    static String hex(long address) {
        return Long.toHexString(address);
    }
}
