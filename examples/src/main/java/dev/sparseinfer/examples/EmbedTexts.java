package dev.sparseinfer.examples;

import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.Embedding;
import dev.sparseinfer.engine.api.EmbeddingModel;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.engine.api.Similarity;
import dev.sparseinfer.engine.api.SparseInferException;
import java.nio.file.Path;
import java.util.List;

/**
 * Opens a model, embeds a few texts and prints how alike each pair is: the smallest complete use of the public API.
 *
 * <p>Usage: {@code EmbedTexts MODEL}, where MODEL is an ONNX export with its tokenizer beside it, a Hugging Face
 * directory, or a packed {@code .safetensors} file.
 */
public final class EmbedTexts {

    private static final List<String> TEXTS = List.of(
            "The cat sat on the mat.", "A kitten was sitting on the rug.", "Interest rates rose again this quarter.");

    private EmbedTexts() {}

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: EmbedTexts MODEL");
            System.exit(2);
        }
        ModelOptions options =
                ModelOptions.defaults().withBackend(BackendKind.CPU).withThreads(2);
        try (EmbeddingModel model = EmbeddingModel.open(Path.of(args[0]), options)) {
            model.backendNotice().ifPresent(System.err::println);
            System.out.println("dimension: " + model.dimension());
            System.out.println("backend:   " + model.backendDescription());
            List<Embedding> embeddings = model.embed(TEXTS);
            for (int i = 0; i < TEXTS.size(); i++) {
                for (int j = i + 1; j < TEXTS.size(); j++) {
                    double cosine = Similarity.cosine(
                            embeddings.get(i).vector(), embeddings.get(j).vector());
                    System.out.printf("%.4f  \"%s\" / \"%s\"%n", cosine, TEXTS.get(i), TEXTS.get(j));
                }
            }
        } catch (SparseInferException e) {
            System.err.println("EmbedTexts: " + e.getMessage() + " (" + e.code() + ")");
            System.exit(1);
        }
    }
}
