package dev.sparseinfer.cli;

import dev.sparseinfer.engine.api.SparseInferException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --out FILE} for commands that write a packed model, checked before any work starts. */
final class OutputFileOption {

    @Option(
            names = "--out",
            required = true,
            paramLabel = "FILE",
            description = "Packed model to write (.safetensors).")
    Path out;

    Path checked() {
        if (!out.getFileName().toString().endsWith(".safetensors")) {
            throw SparseInferException.invalidArgument("--out must name a .safetensors file, got " + out);
        }
        Path dir = out.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw SparseInferException.invalidArgument(
                    "--out: directory " + dir + " does not exist or is not writable");
        }
        if (Files.isDirectory(out)) {
            throw SparseInferException.invalidArgument("--out: " + out + " is a directory");
        }
        return out;
    }
}
