package dev.sparseinfer.cli.report;

import dev.sparseinfer.engine.api.SparseInferException;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code --json FILE}: checked before a long run starts, written atomically at its end. */
public final class JsonOutput {

    private final Path file;

    private JsonOutput(Path file) {
        this.file = file;
    }

    public static JsonOutput checked(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw SparseInferException.invalidArgument(
                    "--json: directory " + dir + " does not exist or is not writable");
        }
        if (Files.isDirectory(file)) {
            throw SparseInferException.invalidArgument("--json: " + file + " is a directory");
        }
        return new JsonOutput(file);
    }

    public void write(String json, Writer console) throws IOException {
        try (AtomicOutput output = AtomicOutput.open(file, console)) {
            output.writer().write(json);
            output.commit();
        }
    }
}
