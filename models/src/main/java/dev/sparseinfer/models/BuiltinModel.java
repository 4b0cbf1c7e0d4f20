package dev.sparseinfer.models;

/**
 * A model that ships inside a Maven artifact on the classpath.
 *
 * @param name          what users type after {@code --model}
 * @param description   one line for help texts
 * @param onnxResource  classpath resource of the ONNX export
 * @param tokenizerResource classpath resource of its tokenizer.json
 * @param version       changes whenever the resources do, so caches extracted from an older jar are not reused
 */
public record BuiltinModel(String name, String description, String onnxResource, String tokenizerResource, String version) {
}
