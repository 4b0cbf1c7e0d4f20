package dev.sparseinfer.engine.backend;

/** A linear layer after a backend packed or uploaded it once; only that backend can run it. */
public interface PreparedLinear {

    int outFeatures();

    int inFeatures();
}
