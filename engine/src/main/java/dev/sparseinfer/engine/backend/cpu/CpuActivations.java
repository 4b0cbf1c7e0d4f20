package dev.sparseinfer.engine.backend.cpu;

import dev.sparseinfer.engine.backend.Activations;

/** Activations on the Java heap, row-major. */
record CpuActivations(int rows, int cols, float[] data) implements Activations {

    CpuActivations(int rows, int cols) {
        this(rows, cols, new float[Math.multiplyExact(rows, cols)]);
    }
}
