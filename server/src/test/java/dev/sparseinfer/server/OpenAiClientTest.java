package dev.sparseinfer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.EmbeddingModel;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.engine.api.Similarity;
import dev.sparseinfer.engine.runtime.EmbeddingRunner;
import dev.sparseinfer.models.ModelRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** LangChain4j's own OpenAI client against the server gets the vectors the engine computes, in input order. */
class OpenAiClientTest {

    private static final String KEY = "sk-test";

    /** Distinct texts: one character, past the 128-token window, other scripts, emoji, whitespace. */
    private static final List<String> TEXTS = List.of(
            "The cat sat on the mat.",
            "?!",
            "word ".repeat(600),
            "Embeddings map sentences to vectors.",
            " \t padded with whitespace \n ",
            "Der schnelle braune Fuchs springt über den faulen Hund.",
            "日本語のテキストも埋め込めます。",
            "Emoji 🚀🔥 and symbols: ∑ ∫ √ ≠",
            "How do I reset my password?",
            "x",
            "Прыгающая лиса над ленивой собакой.",
            "Last text of the list.");

    private static EmbeddingServer server;
    private static EmbeddingModel engine;
    private static List<float[]> expected;

    @BeforeAll
    static void start() throws Exception {
        Path model = new ModelRegistry(Path.of("target", "test-cache").toAbsolutePath()).resolve("minilm");
        ModelOptions options =
                ModelOptions.defaults().withBackend(BackendKind.CPU).withThreads(2);
        engine = EmbeddingModel.open(model, options);
        expected = engine.embed(TEXTS).stream()
                .map(dev.sparseinfer.engine.api.Embedding::vector)
                .toList();
        server = EmbeddingServer.listen(
                ServerConfig.defaults().withPort(0).withApiKey(KEY).withRequestLog(false),
                new PrintWriter(new StringWriter(), true));
        server.serve("minilm", TextEncoder.of(EmbeddingRunner.open(model, options)));
        server.ready();
    }

    @AfterAll
    static void stop() {
        server.close();
        engine.close();
    }

    private static OpenAiEmbeddingModel client(String encodingFormat, int segmentsPerBatch) {
        return OpenAiEmbeddingModel.builder()
                .baseUrl("http://127.0.0.1:" + server.port() + "/v1")
                .apiKey(KEY)
                .modelName("minilm")
                .encodingFormat(encodingFormat)
                .maxSegmentsPerBatch(segmentsPerBatch)
                .maxRetries(0)
                .build();
    }

    @Test
    void floatVectorsAreTheEnginesInInputOrder() {
        assertMatches(client("float", 5).embedAll(segments(TEXTS)).content(), TEXTS.size(), 0);
    }

    @Test
    void base64VectorsAreTheEnginesInInputOrder() {
        assertMatches(client("base64", 100).embedAll(segments(TEXTS)).content(), TEXTS.size(), 0);
    }

    @Test
    void concurrentClientsGetTheirOwnVectors() throws Exception {
        OpenAiEmbeddingModel client = client("float", 100);
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<Embedding>> answers = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (String text : TEXTS) {
                    answers.add(pool.submit(() -> client.embed(text).content()));
                }
            }
            for (int i = 0; i < answers.size(); i++) {
                float[] got = answers.get(i).get().vector();
                double cosine = Similarity.cosine(expected.get(i % TEXTS.size()), got);
                assertTrue(cosine >= 0.999999, "request " + i + ": cosine " + cosine);
            }
        }
    }

    private static void assertMatches(List<Embedding> got, int count, int offset) {
        assertEquals(count, got.size());
        for (int i = 0; i < count; i++) {
            float[] want = expected.get(offset + i);
            assertEquals(want.length, got.get(i).dimension());
            double cosine = Similarity.cosine(want, got.get(i).vector());
            assertTrue(cosine >= 0.999999, "text " + i + ": cosine " + cosine);
        }
    }

    private static List<TextSegment> segments(List<String> texts) {
        return texts.stream().map(TextSegment::from).toList();
    }
}
