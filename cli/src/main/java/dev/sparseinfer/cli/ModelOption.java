package dev.sparseinfer.cli;

import dev.sparseinfer.models.ModelRegistry;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --model SPEC} option every model command shares. */
final class ModelOption {

    @Option(names = "--model", required = true, paramLabel = "SPEC",
            description = "minilm (built-in all-MiniLM-L6-v2), a .onnx BERT export, a Hugging Face directory, or a packed .safetensors model")
    String spec;

    Path resolve() {
        return ModelRegistry.standard().resolve(spec);
    }
}
