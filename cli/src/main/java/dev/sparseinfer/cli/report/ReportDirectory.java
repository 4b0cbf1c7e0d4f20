package dev.sparseinfer.cli.report;

import dev.sparseinfer.engine.api.SparseInferException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The directory {@code --report DIR} names: created if missing and checked for writing before any work starts, so
 * a bad directory is refused in seconds rather than after a long run. Each file appears only when complete
 * (written under a temporary name, then renamed).
 */
public final class ReportDirectory {

    private final Path dir;

    private ReportDirectory(Path dir) {
        this.dir = dir;
    }

    public static ReportDirectory prepare(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(Files.createTempFile(dir, ".write-check", ".tmp"));
        } catch (IOException | SecurityException e) {
            throw SparseInferException.invalidArgument("--report: cannot write to " + dir + " (" + reason(e) + ")");
        }
        return new ReportDirectory(dir);
    }

    private static String reason(Exception e) {
        if (e instanceof java.nio.file.FileAlreadyExistsException) {
            return "a file of that name exists";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    public Path path() {
        return dir;
    }

    public void write(String name, String text) throws IOException {
        write(name, text.getBytes(StandardCharsets.UTF_8));
    }

    public void write(String name, byte[] content) throws IOException {
        Path target = dir.resolve(name);
        // A plain name rather than createTempFile, whose owner-only permissions the renamed file would keep.
        Path temp = dir.resolve("." + name + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.write(temp, content);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
