package dev.sparseinfer.engine.testing;

import dev.sparseinfer.engine.api.SparseInferException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the fuzz tests demand of a parser that refuses an input: the one declared exception type, the
 * malformed-model code, and a message of one line that names the file. Anything else a parser throws (an index
 * out of bounds, an {@link OutOfMemoryError} from a lying length, a stack overflow) escapes the fuzz test and is
 * reported as a finding.
 */
public final class MalformedInput {

    private MalformedInput() {}

    /** A file in {@code dir} holding {@code bytes}, rewritten in place on every call. */
    public static Path write(Path file, byte[] bytes) {
        try {
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Fails unless {@code e} is a one-line INVALID_MODEL error naming {@code file}. */
    public static void requireDeclared(SparseInferException e, Path file) {
        String message = e.getMessage();
        if (e.code() != SparseInferException.Code.INVALID_MODEL) {
            throw new AssertionError("expected INVALID_MODEL, got " + e.code() + ": " + message, e);
        }
        if (message == null || message.isBlank() || message.lines().count() != 1) {
            throw new AssertionError("expected a one-line message, got: " + message, e);
        }
        if (!message.contains(file.toString())) {
            throw new AssertionError("message does not name the file " + file + ": " + message, e);
        }
    }
}
