package dev.sparseinfer.engine.backend;

/** LayerNorm parameters as a backend keeps them. */
public interface PreparedNorm {}
