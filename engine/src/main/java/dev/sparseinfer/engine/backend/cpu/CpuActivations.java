package dev.sparseinfer.engine.backend.cpu;

import dev.sparseinfer.engine.backend.Activations;

/** Activations on the Java heap, row-major, in the first {@code rows * cols} elements of {@code data}. */
record CpuActivations(int rows, int cols, float[] data) implements Activations {

    CpuActivations {
        if ((long) rows * cols > data.length) {
            throw new IllegalArgumentException(
                    "[" + rows + ", " + cols + "] activations need more than " + data.length + " floats");
        }
    }

    CpuActivations(int rows, int cols) {
        this(rows, cols, new float[Math.multiplyExact(rows, cols)]);
    }
}
