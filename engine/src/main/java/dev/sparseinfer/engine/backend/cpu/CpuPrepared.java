package dev.sparseinfer.engine.backend.cpu;

import dev.sparseinfer.engine.backend.PreparedNorm;
import dev.sparseinfer.engine.backend.PreparedTable;

/** The CPU backend's prepared LayerNorms and embedding tables: the heap arrays as loaded. */
final class CpuPrepared {

    private CpuPrepared() {
    }

    record Norm(float[] gamma, float[] beta) implements PreparedNorm {
    }

    record Table(int entries, int width, float[] data) implements PreparedTable {
    }
}
