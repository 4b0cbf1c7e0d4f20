package dev.sparseinfer.cuda;

import dev.sparseinfer.engine.backend.Activations;

/** Activations in the backend's device arena: {@code [rows, cols]} fp32, row-major, at {@code address}. */
record CudaActivations(long address, int rows, int cols) implements Activations {}
