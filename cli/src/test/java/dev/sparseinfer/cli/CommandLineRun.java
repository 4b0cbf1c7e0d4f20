package dev.sparseinfer.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/**
 * Runs the command line in-process as a user would, capturing what it prints; the built-in model's cache lives in
 * the build directory so tests never touch the user's cache.
 */
final class CommandLineRun {

    static {
        System.setProperty(
                "sparseinfer.cache",
                Path.of("target", "test-cache").toAbsolutePath().toString());
    }

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** Runs one command; what earlier commands printed is forgotten. Returns the exit status. */
    int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    String out() {
        return out.toString();
    }

    String err() {
        return err.toString();
    }
}
