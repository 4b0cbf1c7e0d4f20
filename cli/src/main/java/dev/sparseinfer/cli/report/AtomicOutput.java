package dev.sparseinfer.cli.report;

import java.io.BufferedWriter;
import java.io.FilterWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Standard output, or a file that appears only when complete: written under a temporary name in the same
 * directory and renamed by {@link #commit()}. Closing without a commit deletes the temporary file.
 */
public final class AtomicOutput implements AutoCloseable {

    private final Writer writer;
    private final Path target;
    private final Path temp;
    private boolean committed;

    private AtomicOutput(Writer writer, Path target, Path temp) {
        this.writer = writer;
        this.target = target;
        this.temp = temp;
    }

    /** A file at {@code target}, or {@code console} when target is null. */
    public static AtomicOutput open(Path target, Writer console) throws IOException {
        if (target == null) {
            return new AtomicOutput(new BufferedWriter(new FailFastWriter(console), 1 << 16), null, null);
        }
        Path dir = target.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        return new AtomicOutput(Files.newBufferedWriter(temp, StandardCharsets.UTF_8), target, temp);
    }

    /** Turns a PrintWriter's silent failure (a closed pipe, say) into an exception, so no work continues for nobody. */
    private static final class FailFastWriter extends FilterWriter {

        FailFastWriter(Writer out) {
            super(out);
        }

        @Override
        public void flush() throws IOException {
            super.flush();
            if (out instanceof PrintWriter p && p.checkError()) {
                throw new IOException("standard output is closed");
            }
        }
    }

    public Writer writer() {
        return writer;
    }

    public void commit() throws IOException {
        writer.flush();
        if (target != null) {
            writer.close();
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        committed = true;
    }

    @Override
    public void close() throws IOException {
        if (target == null) {
            writer.flush();
            return;
        }
        writer.close();
        if (!committed) {
            Files.deleteIfExists(temp);
        }
    }
}
