/**
 * BERT, RoBERTa and DistilBERT exports in ONNX: a protobuf reader of just the parts of the format a BERT graph uses, and the loader that
 * maps its initializers back to BERT's weights, fp32 or int8-quantised by ONNX Runtime's tools.
 *
 * <p>Internal: may change without notice; the supported API is {@code dev.sparseinfer.engine.api}.
 */
package dev.sparseinfer.engine.io.onnx;
