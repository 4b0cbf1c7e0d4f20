/**
 * SparseInfer as a LangChain4j embedding model: {@link dev.sparseinfer.langchain4j.SparseInferEmbeddingModel} is this
 * integration's public API. LangChain4j is a provided dependency: the application brings its own version (1.11.0 or
 * later).
 */
package dev.sparseinfer.langchain4j;
