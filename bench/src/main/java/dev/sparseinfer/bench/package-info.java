/**
 * CPU benchmarks: JMH benchmarks of single layers and of the core's FMA and permute rates, their Markdown summary,
 * and the whole-model comparison with ONNX Runtime.
 *
 * <p>Internal: may change without notice; the supported API is {@code dev.sparseinfer.engine.api}.
 */
package dev.sparseinfer.bench;
