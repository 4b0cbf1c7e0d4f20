/**
 * Reading and writing safetensors files, every header field checked against the file's size before use.
 *
 * <p>Internal: may change without notice; the supported API is {@code dev.sparseinfer.engine.api}.
 */
package dev.sparseinfer.engine.io.safetensors;
