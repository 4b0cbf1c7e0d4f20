package dev.sparseinfer.engine.api;

/** The embedding of one text: an L2-normalised vector, and how many tokens the model saw (special tokens included). */
public record Embedding(float[] vector, int tokens) {}
