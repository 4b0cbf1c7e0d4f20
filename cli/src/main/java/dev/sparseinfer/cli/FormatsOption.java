package dev.sparseinfer.cli;

import dev.sparseinfer.engine.api.SparseInferException;
import picocli.CommandLine.Option;

/** {@code --formats auto|dense}: whether dense layers that are already sparse run in a sparse format. */
final class FormatsOption {

    @Option(
            names = "--formats",
            paramLabel = "auto|dense",
            defaultValue = "auto",
            description =
                    "auto: dense linear layers of an ONNX file or Hugging Face directory that are exactly 2:4, or at least 70%% zeros, run as 2:4 or CSR; dense: as stored. Packed files keep their formats (default: ${DEFAULT-VALUE}).")
    String formats;

    boolean detect() {
        return switch (formats) {
            case "auto" -> true;
            case "dense" -> false;
            default ->
                throw SparseInferException.invalidArgument("--formats must be auto or dense, got '" + formats + "'");
        };
    }
}
