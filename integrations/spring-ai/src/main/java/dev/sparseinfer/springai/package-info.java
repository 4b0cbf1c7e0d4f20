/**
 * SparseInfer as a Spring AI embedding model: {@link dev.sparseinfer.springai.SparseInferEmbeddingModel} and the
 * {@code spring.ai.sparseinfer.*} properties of its auto-configuration are this integration's public API. Spring
 * and Spring AI are provided dependencies: the application brings its own versions (Spring AI 2.0 with Spring Boot
 * 4, or Spring AI 1.1 with Spring Boot 3.5).
 */
package dev.sparseinfer.springai;
