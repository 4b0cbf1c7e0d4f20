package dev.sparseinfer.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.EmbeddingModel;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.models.ModelRegistry;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SparseInferEmbeddingModelTest {

    private static final int BATCH_SIZE = 3;

    /**
     * Distinct texts, more than one batch: one character, punctuation only, past the 256-token limit, other scripts,
     * emoji. No empty or blank text: LangChain4j's TextSegment refuses them.
     */
    private static final List<String> TEXTS = List.of(
            "The cat sat on the mat.",
            "?!",
            "A quick brown fox jumps over the lazy dog.",
            "word ".repeat(600),
            "Embeddings map sentences to vectors.",
            " \t padded with whitespace \n ",
            "Der schnelle braune Fuchs springt über den faulen Hund.",
            "日本語のテキストも埋め込めます。",
            "Emoji 🚀🔥 and symbols: ∑ ∫ √ ≠",
            "How do I reset my password?",
            "Reset your password from the account settings page.",
            "Paris is the capital of France.",
            "x",
            "Прыгающая лиса над ленивой собакой.",
            "SELECT * FROM users WHERE id = 42;",
            "The stock market fell sharply on Monday.",
            "A long sentence about pruning, ".repeat(40),
            "Привет, мир! Hello, world!",
            "1 2 3 4 5 6 7 8 9 10",
            "Last text of the list.");

    private static Path modelPath;
    private static ModelOptions options;
    private static SparseInferEmbeddingModel adapter;
    private static EmbeddingModel engine;

    @BeforeAll
    static void open() {
        modelPath = new ModelRegistry(Path.of("target", "test-cache").toAbsolutePath()).resolve("minilm");
        options = ModelOptions.defaults()
                .withBackend(BackendKind.CPU)
                .withThreads(2)
                .withBatchSize(BATCH_SIZE);
        adapter = SparseInferEmbeddingModel.builder()
                .modelPath(modelPath)
                .backend(BackendKind.CPU)
                .threads(2)
                .batchSize(BATCH_SIZE)
                .build();
        engine = EmbeddingModel.open(modelPath, options);
    }

    @AfterAll
    static void close() {
        adapter.close();
        engine.close();
    }

    @Test
    void embedsAsTheEngineDoesInInputOrder() {
        Response<List<Embedding>> response =
                adapter.embedAll(TEXTS.stream().map(TextSegment::from).toList());
        List<dev.sparseinfer.engine.api.Embedding> expected = engine.embed(TEXTS);

        assertEquals(TEXTS.size(), response.content().size());
        for (int i = 0; i < TEXTS.size(); i++) {
            double cosine =
                    cosine(expected.get(i).vector(), response.content().get(i).vector());
            assertTrue(cosine >= 0.999999, "text " + i + " cosine " + cosine);
        }
        int tokens = expected.stream()
                .mapToInt(dev.sparseinfer.engine.api.Embedding::tokens)
                .sum();
        assertEquals(tokens, response.tokenUsage().inputTokenCount());
    }

    @Test
    void embedsOneTextAsInAList() {
        Response<Embedding> one = adapter.embed("How do I reset my password?");
        dev.sparseinfer.engine.api.Embedding expected = engine.embed("How do I reset my password?");

        assertTrue(cosine(expected.vector(), one.content().vector()) >= 0.999999);
        assertEquals(expected.tokens(), one.tokenUsage().inputTokenCount());
    }

    @Test
    void reportsTheModelsDimensionAndFileName() {
        assertEquals(384, adapter.dimension());
        assertEquals(modelPath.getFileName().toString(), adapter.modelName());
    }

    @Test
    void embedsAnEmptyListAsNothing() {
        Response<List<Embedding>> response = adapter.embedAll(List.of());

        assertEquals(List.of(), response.content());
        assertEquals(0, response.tokenUsage().inputTokenCount());
    }

    @Test
    void refusesANullSegment() {
        List<TextSegment> segments = Arrays.asList(TextSegment.from("fine"), null);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> adapter.embedAll(segments));
        assertEquals("segment 1 is null or has no text", e.getMessage());
    }

    @Test
    void refusesABuilderWithoutAModel() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> SparseInferEmbeddingModel.builder().build());
        assertEquals("modelPath is required", e.getMessage());
    }

    @Test
    void passesOptionsToTheEngine() {
        try (SparseInferEmbeddingModel prompted = SparseInferEmbeddingModel.builder()
                        .modelPath(modelPath)
                        .backend(BackendKind.CPU)
                        .threads(2)
                        .prompt("query: ")
                        .build();
                EmbeddingModel expected = EmbeddingModel.open(modelPath, options.withPrompt("query: "))) {
            String text = "The cat sat on the mat.";
            float[] withPrompt = prompted.embed(text).content().vector();

            assertTrue(cosine(expected.embed(text).vector(), withPrompt) >= 0.999999);
            assertTrue(cosine(engine.embed(text).vector(), withPrompt) < 0.9999);
        }
    }

    private static double cosine(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double dot = 0;
        double normA = 0;
        double normB = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            normA += (double) a[i] * a[i];
            normB += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(normA * normB);
    }
}
