/**
 * {@code sparseinfer serve}: an HTTP server, on the JDK's {@code com.sun.net.httpserver} with one virtual thread per
 * request, that answers OpenAI's {@code POST /v1/embeddings} and Text Embeddings Inference's {@code POST /embed}
 * for one or more models. Each model has one {@link dev.sparseinfer.server.Batcher} thread that merges concurrent
 * requests into forward passes, bounded in tokens and in how long the first text waits.
 * {@link dev.sparseinfer.server.EmbeddingServer} is the entry point.
 *
 * <p>Internal: may change without notice; the supported API is {@code dev.sparseinfer.engine.api}, and the server's
 * promise is its HTTP interface (docs/server.md).
 */
package dev.sparseinfer.server;
