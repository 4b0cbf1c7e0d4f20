package dev.sparseinfer.bench.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
    private static final List<Path> SCRIPTS = List.of(CHECK,
            Path.of("..", "dist", "build-bundle.sh").toAbsolutePath().normalize(),
            Path.of("..", "dist", "src", "bundle", "bin", "java").toAbsolutePath().normalize(),
            Path.of("..", "dist", "src", "bundle", "bin", "sparseinfer").toAbsolutePath().normalize());

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
        Run run = run(List.of("bash", CHECK.toString(), "--bundle", dir.resolve("absent.tar.gz").toString(),
                out.toString()));
        assertEquals(1, run.exit(), run.output());
        String summary = Files.readString(out.resolve("summary.txt"));
        assertTrue(summary.contains("absent.tar.gz does not exist"), summary);
        assertTrue(summary.contains("result: INCOMPLETE (check.sh stopped during step 'bundle'"), summary);
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String folder : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(folder, program))) {
                return true;
            }
        }
        return false;
    }
}
