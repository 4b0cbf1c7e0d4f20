package dev.sparseinfer.engine.backend;

/** The element-wise function a backend applies to a linear layer's output, fused into its epilogue. */
public enum ActivationFunction {
    NONE,
    /** Exact GELU, {@code x * (1 + erf(x / sqrt 2)) / 2}. */
    GELU
}
