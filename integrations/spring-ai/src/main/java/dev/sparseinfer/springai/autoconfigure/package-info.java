/**
 * Spring Boot auto-configuration: {@link dev.sparseinfer.springai.autoconfigure.SparseInferAutoConfiguration}
 * registers a {@link dev.sparseinfer.springai.SparseInferEmbeddingModel} bean built from the
 * {@link dev.sparseinfer.springai.autoconfigure.SparseInferProperties spring.ai.sparseinfer.*} properties.
 */
package dev.sparseinfer.springai.autoconfigure;
