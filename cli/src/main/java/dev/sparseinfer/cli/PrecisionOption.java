package dev.sparseinfer.cli;

import dev.sparseinfer.engine.api.Precision;
import picocli.CommandLine.Option;

/** {@code --precision fp32|bf16}: how the CPU backend computes dense fp32 linear layers. */
final class PrecisionOption {

    @Option(
            names = "--precision",
            paramLabel = "fp32|bf16",
            defaultValue = "fp32",
            description = "Dense fp32 layers on the cpu backend: fp32, or bf16 (weights and activations rounded to"
                    + " bf16, products summed in fp32) where the CPU has AVX512-BF16, else fp32 with a notice;"
                    + " sparse and int8 layers are unchanged (default: ${DEFAULT-VALUE}).")
    String precision;

    Precision value() {
        return Precision.parse(precision);
    }
}
