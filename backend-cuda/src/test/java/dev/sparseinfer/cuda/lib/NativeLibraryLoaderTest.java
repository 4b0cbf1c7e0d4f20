package dev.sparseinfer.cuda.lib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A library that needs another by soname, the two in different folders neither of which the dynamic linker
 * searches: the situation of JCublas2's natives and {@code libcublas.so.12} in a Python package folder. Each test
 * uses sonames of its own, because once a soname is loaded the linker resolves it for the rest of the process.
 */
class NativeLibraryLoaderTest {

    @TempDir
    Path root;

    @Test
    void readsTheSonamesALibraryNeeds() throws IOException {
        Pair pair = pair();
        List<String> needed = ElfDependencies.needed(pair.user);
        assertTrue(needed.contains(pair.dependencySoname), needed.toString());
    }

    @Test
    void aFileThatIsNotElfNeedsNothing() throws IOException {
        Path text = Files.writeString(root.resolve("libnot.so.1"), "not a library");
        assertEquals(List.of(), ElfDependencies.needed(text));
    }

    @Test
    void aTruncatedElfFileIsAnError() throws IOException {
        Path library = pair().user;
        byte[] bytes = Files.readAllBytes(library);
        Path truncated = Files.write(root.resolve("libtruncated.so.1"), Arrays.copyOf(bytes, 200));
        assertThrows(IOException.class, () -> ElfDependencies.needed(truncated));
    }

    @Test
    void loadsDependenciesFromTheUserFoldersFirst() throws IOException {
        Pair pair = pair();
        new NativeLibraryLoader(TestLibraries.locatorOver(pair.dependencyFolder)).load(pair.user);
    }

    @Test
    void withoutTheUserFoldersTheDependencyIsMissing() throws IOException {
        Pair pair = pair();
        UnsatisfiedLinkError e = assertThrows(
                UnsatisfiedLinkError.class, () -> new NativeLibraryLoader(TestLibraries.locatorOver()).load(pair.user));
        assertTrue(e.getMessage().contains(pair.dependencySoname), e.getMessage());
    }

    private record Pair(Path user, Path dependencyFolder, String dependencySoname) {}

    /** {@code user/libuser_X.so.1} needs {@code dependency/libdependency_X.so.1}, with X fresh for each test. */
    private Pair pair() throws IOException {
        String tag = UUID.randomUUID().toString().replace("-", "");
        String dependencySoname = "libdependency_" + tag + ".so.1";
        Path dependencyFolder = Files.createDirectories(root.resolve("dependency"));
        TestLibraries.compileSource("int dependency_value(void) { return 42; }\n", dependencyFolder, dependencySoname);
        Path userFolder = Files.createDirectories(root.resolve("user"));
        Path user = TestLibraries.compileSource(
                """
                int dependency_value(void);
                int user_value(void) { return dependency_value() + 1; }
                """,
                userFolder,
                "libuser_" + tag + ".so.1",
                dependencyFolder.resolve(dependencySoname).toString());
        return new Pair(user, dependencyFolder, dependencySoname);
    }
}
