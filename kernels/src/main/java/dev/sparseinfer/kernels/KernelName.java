package dev.sparseinfer.kernels;

/** Every kernel in the fatbin, by its {@code extern "C"} name: the names a CUDA backend launches. */
public enum KernelName {
    F32_TO_F16_PADDED("si_f32_to_f16_padded"),
    BIAS_ACTIVATION("si_bias_activation"),
    EMBED("si_embed"),
    ADD_LAYERNORM("si_add_layernorm"),
    POOL("si_pool"),
    ATTENTION("si_attention"),
    TWOFOUR_GEMM("si_twofour_gemm"),
    TWOFOUR_SMALL_N("si_twofour_small_n"),
    QUANTIZE_ROWS_INT8("si_quantize_rows_int8"),
    QUANTIZE_ROWS_HALF("si_quantize_rows_half"),
    INT8_GEMM("si_int8_gemm");

    private final String symbol;

    KernelName(String symbol) {
        this.symbol = symbol;
    }

    public String symbol() {
        return symbol;
    }
}
