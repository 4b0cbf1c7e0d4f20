package dev.sparseinfer.engine.backend.cpu;

import dev.sparseinfer.engine.backend.PreparedLinear;
import dev.sparseinfer.engine.backend.PreparedNorm;
import dev.sparseinfer.engine.backend.PreparedTable;

/** The CPU backend's prepared weights: heap arrays in the layout its kernels read. */
final class CpuPrepared {

    private CpuPrepared() {
    }

    /** A dense layer, weights {@code [out, in]} row-major. */
    record DenseLinear(int outFeatures, int inFeatures, float[] weights, float[] bias) implements PreparedLinear {
    }

    record Norm(float[] gamma, float[] beta) implements PreparedNorm {
    }

    record Table(int entries, int width, float[] data) implements PreparedTable {
    }
}
