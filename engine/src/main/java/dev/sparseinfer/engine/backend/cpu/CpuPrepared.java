package dev.sparseinfer.engine.backend.cpu;

import dev.sparseinfer.engine.backend.PreparedNorm;
import dev.sparseinfer.engine.backend.PreparedTable;
import dev.sparseinfer.engine.format.FloatTable;

/**
 * The CPU backend's prepared LayerNorms (the heap arrays as loaded) and embedding tables (where they lie: a view of
 * the mapped model file, or a heap array).
 */
final class CpuPrepared {

    private CpuPrepared() {}

    record Norm(float[] gamma, float[] beta) implements PreparedNorm {}

    record Table(FloatTable table) implements PreparedTable {

        @Override
        public int entries() {
            return table.rows();
        }

        @Override
        public int width() {
            return table.cols();
        }
    }
}
