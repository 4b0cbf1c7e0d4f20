package dev.sparseinfer.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.cuda.KernelArguments.Kind;
import dev.sparseinfer.kernels.KernelName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The launch table against the kernels' CUDA declarations, read from the sources next to this module. */
class KernelSignaturesTest {

    private static final Path SOURCES = Path.of("..", "kernels", "src", "main", "cuda");
    private static final Pattern KERNEL = Pattern.compile(
            "extern \"C\" __global__ void\\s+(?:__launch_bounds__\\([\\d,\\s]+\\)\\s+)?(\\w+)\\s*\\(([^)]*)\\)");

    @Test
    void everyKernelTakesTheArgumentsTheBackendPacks() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(SOURCES), "the CUDA sources are not next to this module");
        Map<String, List<Kind>> declared = declaredKernels();
        for (KernelName kernel : KernelName.values()) {
            assertTrue(declared.containsKey(kernel.symbol()), kernel.symbol() + " is not declared in " + SOURCES);
            assertEquals(declared.get(kernel.symbol()), KernelSignatures.of(kernel), kernel.symbol());
        }
        assertEquals(
                KernelName.values().length, declared.size(), "kernels without a launch entry: " + declared.keySet());
    }

    private static Map<String, List<Kind>> declaredKernels() throws IOException {
        Map<String, List<Kind>> kernels = new HashMap<>();
        try (Stream<Path> files = Files.list(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".cu")).toList()) {
                Matcher m = KERNEL.matcher(Files.readString(file));
                while (m.find()) {
                    List<Kind> kinds = new ArrayList<>();
                    for (String parameter : m.group(2).split(",")) {
                        kinds.add(kind(parameter.trim(), m.group(1)));
                    }
                    kernels.put(m.group(1), kinds);
                }
            }
        }
        return kernels;
    }

    private static Kind kind(String parameter, String kernel) {
        if (parameter.contains("*")) {
            return Kind.POINTER;
        }
        if (parameter.startsWith("int ")) {
            return Kind.INT;
        }
        if (parameter.startsWith("float ")) {
            return Kind.FLOAT;
        }
        throw new AssertionError(kernel + ": parameter type not packed by KernelArguments: " + parameter);
    }
}
