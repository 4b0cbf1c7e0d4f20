/**
 * SparseInfer's public API, the only package whose compatibility is promised: open a model, embed texts, close
 * it. Every other package of every SparseInfer module is internal and may change without notice.
 *
 * <pre>{@code
 * ModelOptions options = ModelOptions.defaults().withBackend(BackendKind.CPU).withThreads(4);
 * try (EmbeddingModel model = EmbeddingModel.open(Path.of("model.onnx"), options)) {
 *     model.backendNotice().ifPresent(System.err::println);
 *     List<Embedding> out = model.embed(List.of("a sentence to embed", "another one"));
 *     double similarity = Similarity.cosine(out.get(0).vector(), out.get(1).vector());
 * }
 * }</pre>
 *
 * <p>A model is a packed {@code .safetensors} file, an ONNX BERT export with its {@code tokenizer.json} beside it,
 * or a Hugging Face model directory. Start the JVM with {@code --add-modules jdk.incubator.vector} for the
 * vectorised CPU kernels (without it the scalar ones run, much slower, and {@link EmbeddingModel#backendNotice()}
 * says so), and with {@code --enable-native-access=ALL-UNNAMED} so the tokenizer's native library loads without a
 * warning. Failures are {@link SparseInferException}s whose one-line message names the file, tensor or option at
 * fault.
 */
package dev.sparseinfer.engine.api;
