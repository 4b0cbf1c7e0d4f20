package dev.sparseinfer.springai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.embedding.TokenCountBatchingStrategy;

class SparseInferEmbeddingModelTest {

    private static final int BATCH_SIZE = 3;

    /** Distinct texts, more than one batch: empty, blank, one character, past the 256-token limit, other scripts. */
    private static final List<String> TEXTS = List.of(
            "The cat sat on the mat.",
            "",
            "A quick brown fox jumps over the lazy dog.",
            "word ".repeat(600),
            " \t ",
            "Der schnelle braune Fuchs springt über den faulen Hund.",
            "日本語のテキストも埋め込めます。",
            "Emoji 🚀🔥 and symbols: ∑ ∫ √ ≠",
            "x",
            "Прыгающая лиса над ленивой собакой.",
            "SELECT * FROM users WHERE id = 42;",
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
        adapter = new SparseInferEmbeddingModel(modelPath, options);
        engine = EmbeddingModel.open(modelPath, options);
    }

    @AfterAll
    static void close() {
        adapter.close();
        engine.close();
    }

    @Test
    void embedsAsTheEngineDoesInInputOrder() {
        EmbeddingResponse response = adapter.call(
                new EmbeddingRequest(TEXTS, EmbeddingOptions.builder().build()));
        List<dev.sparseinfer.engine.api.Embedding> expected = engine.embed(TEXTS);

        assertEquals(TEXTS.size(), response.getResults().size());
        for (int i = 0; i < TEXTS.size(); i++) {
            assertEquals(i, response.getResults().get(i).getIndex());
            double cosine = cosine(
                    expected.get(i).vector(), response.getResults().get(i).getOutput());
            assertTrue(cosine >= 0.999999, "text " + i + " cosine " + cosine);
        }
        int tokens = expected.stream()
                .mapToInt(dev.sparseinfer.engine.api.Embedding::tokens)
                .sum();
        assertEquals(tokens, response.getMetadata().getUsage().getPromptTokens());
        assertEquals(tokens, response.getMetadata().getUsage().getTotalTokens());
        assertEquals(modelPath.getFileName().toString(), response.getMetadata().getModel());
    }

    @Test
    void embedsTextsAndDocumentsAsTheEngineDoes() {
        String text = "How do I reset my password?";
        float[] expected = engine.embed(text).vector();

        assertTrue(cosine(expected, adapter.embed(text)) >= 0.999999);
        assertTrue(cosine(expected, adapter.embed(new Document(text))) >= 0.999999);
    }

    @Test
    void embedsDocumentsInBatchesInInputOrder() {
        List<Document> documents =
                TEXTS.stream().filter(t -> !t.isBlank()).map(Document::new).toList();
        List<float[]> vectors =
                adapter.embed(documents, EmbeddingOptions.builder().build(), new TokenCountBatchingStrategy());

        assertEquals(documents.size(), vectors.size());
        for (int i = 0; i < documents.size(); i++) {
            float[] expected = engine.embed(documents.get(i).getText()).vector();
            assertTrue(cosine(expected, vectors.get(i)) >= 0.999999, "document " + i);
        }
    }

    @Test
    void reportsTheModelsDimensionWithoutEmbedding() {
        assertEquals(384, adapter.dimensions());
    }

    @Test
    void embedsAnEmptyRequestAsNothing() {
        EmbeddingResponse response = adapter.call(new EmbeddingRequest(List.of(), null));

        assertEquals(List.of(), response.getResults());
        assertEquals(0, response.getMetadata().getUsage().getPromptTokens());
    }

    @Test
    void refusesANullText() {
        EmbeddingRequest request = new EmbeddingRequest(Arrays.asList("fine", null), null);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> adapter.call(request));
        assertEquals("text 1 of the request is null", e.getMessage());
    }

    @Test
    void refusesOtherDimensions() {
        EmbeddingRequest request = new EmbeddingRequest(
                List.of("fine"), EmbeddingOptions.builder().dimensions(768).build());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> adapter.call(request));
        assertEquals("the request asks for 768 dimensions; " + modelPath.getFileName() + " gives 384", e.getMessage());
    }

    @Test
    void acceptsItsOwnDimensions() {
        EmbeddingRequest request = new EmbeddingRequest(
                List.of("fine"), EmbeddingOptions.builder().dimensions(384).build());

        assertEquals(384, adapter.call(request).getResult().getOutput().length);
    }

    @Test
    void passesOptionsToTheEngine() {
        try (SparseInferEmbeddingModel prompted =
                        new SparseInferEmbeddingModel(modelPath, options.withPrompt("query: "));
                EmbeddingModel expected = EmbeddingModel.open(modelPath, options.withPrompt("query: "))) {
            String text = "The cat sat on the mat.";
            float[] withPrompt = prompted.embed(text);

            assertTrue(cosine(expected.embed(text).vector(), withPrompt) >= 0.999999);
            assertTrue(cosine(engine.embed(text).vector(), withPrompt) < 0.9999);
        }
    }

    @Test
    void refusesToEmbedOnceClosed() {
        SparseInferEmbeddingModel closed = new SparseInferEmbeddingModel(modelPath, options);
        closed.close();

        assertThrows(IllegalStateException.class, () -> closed.embed("text"));
    }

    static double cosine(float[] a, float[] b) {
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
