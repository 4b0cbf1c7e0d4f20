package dev.sparseinfer.cli;

import dev.sparseinfer.models.ModelRegistry;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --model SPEC} option every model command shares. */
final class ModelOption {

    @Option(
            names = "--model",
            required = true,
            paramLabel = "SPEC",
            description =
                    "a built-in model (minilm, bge-small-en-v15, e5-small-v2, ...: see 'sparseinfer models'), a .onnx BERT export, a Hugging Face directory, or a packed .safetensors model")
    String spec;

    Path resolve() {
        return ModelRegistry.standard().resolve(spec);
    }
}
