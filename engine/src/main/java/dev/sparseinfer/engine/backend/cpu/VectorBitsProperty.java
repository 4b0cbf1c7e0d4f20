package dev.sparseinfer.engine.backend.cpu;

import dev.sparseinfer.engine.api.SparseInferException;

/**
 * Parses {@code -Dsparseinfer.cpu.vectorBits}, the vector width {@link CpuVectorShape} asks for. Free of Vector API
 * types so {@link CpuKernelProvider} can refuse a bad value with a one-line error before any Vector API class loads.
 */
final class VectorBitsProperty {

    static final String NAME = "sparseinfer.cpu.vectorBits";
    /** What {@link #parse} returns when the property is not set: the JVM's preferred width. */
    static final int PREFERRED = 0;

    private VectorBitsProperty() {}

    static int parse(String value) {
        if (value == null || value.isBlank()) {
            return PREFERRED;
        }
        return switch (value.strip()) {
            case "128" -> 128;
            case "256" -> 256;
            case "512" -> 512;
            default ->
                throw SparseInferException.invalidArgument(
                        "-D" + NAME + " must be 128, 256 or 512, got '" + value + "'");
        };
    }
}
