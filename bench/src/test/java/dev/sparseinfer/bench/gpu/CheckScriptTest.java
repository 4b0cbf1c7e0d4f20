package dev.sparseinfer.bench.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shell scripts of the GPU bundle, which run where no one watches them (a GPU host, one attempt per transfer):
 * they parse, pass shellcheck where it is installed, and check.sh leaves its summary even when it cannot start.
 * The bundle itself is built and run only by {@code ./maven -Pgpu-bundle}, never in this build.
 */
class CheckScriptTest {

    /** Surefire runs in the module's directory: bench/. */
    private static final Path CHECK = Path.of("gpu", "check.sh").toAbsolutePath();

    private static final List<Path> SCRIPTS = List.of(
            CHECK,
            Path.of("..", "dist", "build-bundle.sh").toAbsolutePath().normalize(),
            Path.of("..", "dist", "src", "bundle", "bin", "java")
                    .toAbsolutePath()
                    .normalize(),
            Path.of("..", "dist", "src", "bundle", "bin", "sparseinfer")
                    .toAbsolutePath()
                    .normalize());

    @TempDir
    Path dir;

    private record Run(int exit, String output) {}

    private static Run run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("OUT");
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "did not end: " + command);
        return new Run(process.exitValue(), output);
    }

    @Test
    void everyScriptParses() throws Exception {
        for (Path script : SCRIPTS) {
            Run run = run(List.of("bash", "-n", script.toString()));
            assertEquals(0, run.exit(), script + ": " + run.output());
        }
    }

    @Test
    void everyScriptPassesShellcheck() throws Exception {
        assumeTrue(onPath("shellcheck"), "shellcheck is not installed");
        List<String> command = new ArrayList<>(List.of("shellcheck", "--shell=bash"));
        SCRIPTS.forEach(script -> command.add(script.toString()));
        Run run = run(command);
        assertEquals(0, run.exit(), run.output());
    }

    @Test
    void withoutAnOutputDirectoryItPrintsItsUsage() throws Exception {
        Run run = run(List.of("bash", CHECK.toString()));
        assertEquals(2, run.exit(), run.output());
        assertTrue(run.output().contains("Usage: check.sh"), run.output());
    }

    @Test
    void aMissingBundleStillLeavesASummaryThatSaysWhy() throws Exception {
        Path out = dir.resolve("out");
        Run run = run(List.of(
                "bash",
                CHECK.toString(),
                "--bundle",
                dir.resolve("absent.tar.gz").toString(),
                out.toString()));
        assertEquals(1, run.exit(), run.output());
        String summary = Files.readString(out.resolve("summary.txt"));
        assertTrue(summary.contains("absent.tar.gz does not exist"), summary);
        assertTrue(summary.contains("result: INCOMPLETE (check.sh stopped during step 'bundle'"), summary);
    }

    /** CUDA 12 wheels: one lib folder per library. */
    @Test
    void findsTheLibFoldersOfCuda12Wheels() throws Exception {
        Path site = dir.resolve("site-packages");
        library(site, "nvidia/cublas/lib/libcublas.so.12");
        library(site, "nvidia/cusparse/lib/libcusparse.so.12");
        library(site, "nvidia/nvjitlink/lib/libnvJitLink.so.12");
        Files.createDirectories(site.resolve("nvidia/cublas/include"));
        assertEquals(
                String.join(
                        ":",
                        site.resolve("nvidia/cublas/lib").toString(),
                        site.resolve("nvidia/cusparse/lib").toString(),
                        site.resolve("nvidia/nvjitlink/lib").toString()),
                discoveredLibraryFolders(site.resolve("nvidia").toString()));
    }

    /** CUDA 13 wheels: one shared lib folder, and a few libraries still in their own; the package may span sites. */
    @Test
    void findsTheLibFoldersOfCuda13WheelsAcrossSitePackages() throws Exception {
        Path site = dir.resolve("site-packages");
        Path userSite = dir.resolve("user-site-packages");
        library(site, "nvidia/cu13/lib/libcublas.so.13");
        library(site, "nvidia/cu13/lib/libcusparse.so.12");
        Files.createDirectories(site.resolve("nvidia/cu13/include"));
        library(userSite, "nvidia/nccl/lib/libnccl.so.2");
        assertEquals(
                site.resolve("nvidia/cu13/lib") + ":" + userSite.resolve("nvidia/nccl/lib"),
                discoveredLibraryFolders(site.resolve("nvidia") + "\n" + userSite.resolve("nvidia")));
    }

    private static void library(Path site, String path) throws IOException {
        Files.createDirectories(site.resolve(path).getParent());
        Files.createFile(site.resolve(path));
    }

    /**
     * Runs check.sh on a stand-in bundle whose {@code java} does nothing, with a stand-in {@code python3} that
     * names {@code nvidiaFolders} as the {@code nvidia} package's folders, and returns the SPARSEINFER_CUDA_LIBS
     * that check.sh set, from its inventory.
     */
    private String discoveredLibraryFolders(String nvidiaFolders) throws Exception {
        Path bundle = dir.resolve("bundle");
        executable(bundle.resolve("runtime/bin/java"), "exit 0");
        executable(bundle.resolve("bin/java"), "exit 0");
        Path bin = dir.resolve("bin");
        executable(bin.resolve("python3"), "printf '%s\\n' '" + nvidiaFolders.replace("\n", "' '") + "'");
        Path out = dir.resolve("out");
        ProcessBuilder builder = new ProcessBuilder(
                        "bash", CHECK.toString(), "--bundle", bundle.toString(), out.toString())
                .redirectErrorStream(true);
        builder.environment().remove("OUT");
        builder.environment().remove("SPARSEINFER_CUDA_LIBS");
        builder.environment().remove("LD_LIBRARY_PATH");
        builder.environment().put("PATH", bin + File.pathSeparator + System.getenv("PATH"));
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "did not end: " + output);
        String inventory = Files.readString(out.resolve("inventory.txt"));
        return inventory
                .lines()
                .filter(line -> line.startsWith("SPARSEINFER_CUDA_LIBS="))
                .map(line -> line.substring("SPARSEINFER_CUDA_LIBS=".length()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no SPARSEINFER_CUDA_LIBS in the inventory:\n" + inventory));
    }

    private static void executable(Path file, String body) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        assertTrue(file.toFile().setExecutable(true), "cannot make " + file + " executable");
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String folder : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(folder, program))) {
                return true;
            }
        }
        return false;
    }
}
