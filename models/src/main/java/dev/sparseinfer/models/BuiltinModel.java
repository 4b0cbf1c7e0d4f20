package dev.sparseinfer.models;

import dev.sparseinfer.engine.api.EmbeddingRecipe;
import java.util.List;
import java.util.Locale;

/**
 * An embedding model SparseInfer knows by name, shipped as an ONNX export and its tokenizer inside a Maven jar.
 *
 * @param name             what users type after {@code --model}
 * @param aliases          other names accepted for it
 * @param description      one line for listings
 * @param artifact         the jar holding its files
 * @param onnx             the ONNX export inside the jar
 * @param tokenizer        its {@code tokenizer.json} inside the jar
 * @param onnxRuntimeInt8  whether the export is ONNX Runtime's dynamic int8 quantisation (MatMulInteger), which
 *                         SparseInfer's ONNX loader runs as int8 w8a8
 * @param dimension        length of its embeddings
 * @param maxTokens        the longest input it sees, special tokens included: its tokenizer's truncation where the
 *                         tokenizer sets one, else its 512 positions
 * @param recipe           pooling, normalisation and prompts as the model is meant to be used (LangChain4j's own
 *                         model class sets the same pooling)
 */
public record BuiltinModel(
        String name,
        List<String> aliases,
        String description,
        MavenArtifact artifact,
        PackagedFile onnx,
        PackagedFile tokenizer,
        boolean onnxRuntimeInt8,
        int dimension,
        int maxTokens,
        EmbeddingRecipe recipe) {

    public BuiltinModel {
        aliases = List.copyOf(aliases);
    }

    /** Whether a {@code --model} spec names this model (case-insensitive). */
    public boolean isNamed(String spec) {
        String lower = spec.toLowerCase(Locale.ROOT);
        return name.equals(lower) || aliases.contains(lower);
    }

    /** The extracted ONNX file's name; the tokenizer is {@link #tokenizerFileName()} beside it, where loaders look. */
    public String onnxFileName() {
        return name + ".onnx";
    }

    public String tokenizerFileName() {
        return name + "-tokenizer.json";
    }
}
