package dev.sparseinfer.cuda;

import dev.sparseinfer.engine.backend.PreparedNorm;
import dev.sparseinfer.engine.backend.PreparedTable;

/** LayerNorm parameters and embedding tables, uploaded once as fp32. */
final class CudaPrepared {

    private CudaPrepared() {}

    record Norm(long gamma, long beta) implements PreparedNorm {}

    record Table(long address, int entries, int width) implements PreparedTable {}
}
