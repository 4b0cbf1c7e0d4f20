/**
 * Sparse fine-tuning by distillation on the CPU: the BERT encoder's forward pass with the backward pass of every op
 * it uses (linear with a sparsity mask, attention, LayerNorm, GELU, residual adds, mean pooling), a loss that matches
 * a teacher's hidden states and pooled embeddings, AdamW, and the sparsity schedule. Internal: may change.
 */
package dev.sparseinfer.models.train;
