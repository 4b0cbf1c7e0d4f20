package dev.sparseinfer.examples.langchain4j;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.store.embedding.CosineSimilarity;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.langchain4j.SparseInferEmbeddingModel;
import dev.sparseinfer.models.ModelRegistry;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Ranks a few documents against a query through LangChain4j's {@link EmbeddingModel} interface, backed by SparseInfer:
 * the documents go to the model as one list, which it embeds in batched forward passes.
 *
 * <p>Usage: {@code RankWithLangChain4j [MODEL]}, where MODEL is a built-in name (default {@code minilm}) or a path.
 */
public final class RankWithLangChain4j {

    private static final String QUERY = "Where is the cat?";
    private static final List<String> DOCUMENTS = List.of(
            "The cat sat on the mat.",
            "Interest rates rose again this quarter.",
            "A kitten was sitting on the rug.",
            "Der Hund schläft im Garten.");

    private RankWithLangChain4j() {}

    public static void main(String[] args) {
        String spec = args.length > 0 ? args[0] : "minilm";
        try (SparseInferEmbeddingModel model = SparseInferEmbeddingModel.builder()
                .modelPath(ModelRegistry.standard().resolve(spec))
                .build()) {
            rank(model);
        } catch (SparseInferException e) {
            System.err.println("RankWithLangChain4j: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Uses nothing but LangChain4j's interface, so any other LangChain4j embedding model would drop in. */
    static void rank(EmbeddingModel model) {
        Embedding query = model.embed(QUERY).content();
        List<Embedding> documents = model.embedAll(
                        DOCUMENTS.stream().map(TextSegment::from).toList())
                .content();
        System.out.println(model.modelName() + ", " + model.dimension() + " dimensions; query: \"" + QUERY + "\"");
        IntStream.range(0, DOCUMENTS.size())
                .boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -CosineSimilarity.between(query, documents.get(i))))
                .forEach(i -> System.out.printf(
                        "%.4f  %s%n", CosineSimilarity.between(query, documents.get(i)), DOCUMENTS.get(i)));
    }
}
