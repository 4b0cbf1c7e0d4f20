package dev.sparseinfer.engine.io;

import dev.sparseinfer.engine.api.EmbeddingRecipe;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.io.hf.HfBertLoader;
import dev.sparseinfer.engine.io.hf.SentenceTransformersConfig;
import dev.sparseinfer.engine.io.onnx.OnnxBertLoader;
import dev.sparseinfer.engine.io.packed.PackedModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Opens a model from a path and tells the kinds apart: a Hugging Face directory ({@code config.json},
 * {@code model.safetensors}, {@code tokenizer.json}) or a {@code .onnx} export with its tokenizer beside it
 * ({@code tokenizer.json}, or {@code NAME-tokenizer.json} for {@code NAME.onnx}), or a packed {@code .safetensors}
 * file written by {@code prune} or {@code quantize}. Each comes with the pooling, normalisation and prompts it declares
 * (see {@link MappedModel#recipe()}): a directory's, or an ONNX file's directory's, sentence-transformers files, a
 * packed file's metadata; mean pooling and normalisation where it declares none.
 */
public final class ModelLoader {

    private ModelLoader() {}

    /** Reads a whole model into memory as stored, for work on its weights (pruning, quantizing, comparing variants). */
    public static LoadedModel load(Path path) {
        // Dense as stored: pruning and quantizing read dense weights, and choose their own formats.
        try (MappedModel model = open(path, false)) {
            return model.inMemory();
        }
    }

    /**
     * Maps a model, to build a model that runs from it (see {@link MappedModel}), with the dense linear layers of a
     * Hugging Face directory or ONNX file in the sparse format they fit; the caller closes it.
     */
    public static MappedModel open(Path path) {
        return open(path, true);
    }

    /**
     * Maps a model as {@link #open(Path)} does; with {@code detectSparseFormats} false, dense layers stay dense (a
     * packed file's layers keep the formats it stores either way).
     */
    public static MappedModel open(Path path, boolean detectSparseFormats) {
        if (!Files.exists(path)) {
            throw new SparseInferException(SparseInferException.Code.IO, "model not found: " + path);
        }
        String name = path.getFileName().toString();
        if (Files.isDirectory(path)) {
            EmbeddingRecipe recipe = declaredRecipe(path);
            MappedModel mapped = HfBertLoader.open(path, readTokenizer(List.of(path.resolve("tokenizer.json")), path))
                    .withRecipe(recipe);
            return detectSparseFormats ? mapped.withDetectedFormats() : mapped;
        }
        if (name.endsWith(".onnx")) {
            Path dir = path.toAbsolutePath().getParent();
            String stem = name.substring(0, name.length() - ".onnx".length());
            List<Path> candidates = List.of(dir.resolve("tokenizer.json"), dir.resolve(stem + "-tokenizer.json"));
            EmbeddingRecipe recipe = declaredRecipe(dir);
            MappedModel mapped =
                    OnnxBertLoader.open(path, readTokenizer(candidates, path)).withRecipe(recipe);
            return detectSparseFormats ? mapped.withDetectedFormats() : mapped;
        }
        if (name.endsWith(".safetensors")) {
            return PackedModel.open(path);
        }
        throw SparseInferException.invalidArgument(path
                + ": not a model (expected a Hugging Face directory, a .onnx file" + " or a packed .safetensors file)");
    }

    /**
     * What the sentence-transformers files in a model's directory declare (an ONNX export's directory too, as
     * exporters and the built-in models' cache leave them there), or {@link EmbeddingRecipe#MEAN_NORMALIZED} where
     * there are none.
     */
    private static EmbeddingRecipe declaredRecipe(Path directory) {
        return SentenceTransformersConfig.read(directory).orElse(EmbeddingRecipe.MEAN_NORMALIZED);
    }

    private static String readTokenizer(List<Path> candidates, Path model) {
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate)) {
                try {
                    return Files.readString(candidate, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new SparseInferException(
                            SparseInferException.Code.IO, "cannot read " + candidate + ": " + e.getMessage(), e);
                }
            }
        }
        throw SparseInferException.invalidModel(model + ": no tokenizer found (looked for "
                + String.join(
                        ", ",
                        candidates.stream().map(p -> p.getFileName().toString()).toList()) + ")");
    }
}
