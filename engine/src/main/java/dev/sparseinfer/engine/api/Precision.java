package dev.sparseinfer.engine.api;

import java.util.Locale;

/**
 * The arithmetic of a model's dense fp32 linear layers on the CPU backend. Sparse (CSR, 2:4) and int8 layers,
 * attention and layer norm run as they always do.
 */
public enum Precision {
    /** fp32 weights and activations, fp32 sums. */
    FP32,
    /**
     * Weights and activations rounded to bf16, their products summed in fp32: half the weight bytes and twice the
     * products per instruction, where the CPU has AVX-512 BF16 and the native library loads; fp32 elsewhere, with a
     * notice saying why.
     */
    BF16;

    public static Precision parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw SparseInferException.invalidArgument("unknown precision '" + name + "' (expected fp32 or bf16)");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
