package dev.sparseinfer.engine.backend;

/**
 * A backend-owned {@code [rows, cols]} fp32 buffer of activations: one row per token. The model graph only passes
 * these handles between backend calls; where the numbers live (heap, device memory) is the backend's business.
 */
public interface Activations {

    int rows();

    int cols();
}
