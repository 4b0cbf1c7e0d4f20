package dev.sparseinfer.springai.autoconfigure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.EmbeddingModel;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.models.ModelRegistry;
import dev.sparseinfer.springai.SparseInferEmbeddingModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.MapPropertySource;

class SparseInferAutoConfigurationTest {

    private static final Path CACHE = Path.of("target", "test-cache").toAbsolutePath();
    private static final String TEXT = "Der schnelle braune Fuchs springt über den faulen Hund.";

    private static Path modelPath;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SparseInferAutoConfiguration.class))
            .withPropertyValues(
                    "spring.ai.sparseinfer.cache-directory=" + CACHE,
                    "spring.ai.sparseinfer.backend=cpu",
                    "spring.ai.sparseinfer.threads=2");

    @BeforeAll
    static void extractModel() {
        modelPath = new ModelRegistry(CACHE).resolve("minilm");
    }

    @Test
    void isRegisteredAsAnAutoConfiguration() {
        List<String> candidates = ImportCandidates.load(
                        AutoConfiguration.class, getClass().getClassLoader())
                .getCandidates();

        assertTrue(candidates.contains(SparseInferAutoConfiguration.class.getName()), candidates.toString());
    }

    @Test
    void registersTheFailureAnalyzer() throws IOException {
        boolean registered = false;
        for (URL url : Collections.list(getClass().getClassLoader().getResources("META-INF/spring.factories"))) {
            Properties factories = new Properties();
            try (InputStream in = url.openStream()) {
                factories.load(in);
            }
            registered |= Arrays.stream(factories
                            .getProperty(FailureAnalyzer.class.getName(), "")
                            .split(","))
                    .map(String::trim)
                    .anyMatch(SparseInferFailureAnalyzer.class.getName()::equals);
        }
        assertTrue(registered);
    }

    @Test
    void describesEveryPropertyForIdes() throws IOException {
        Set<String> expected = Arrays.stream(SparseInferProperties.class.getRecordComponents())
                .map(c -> SparseInferProperties.PREFIX + "."
                        + c.getName().replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT))
                .collect(Collectors.toSet());
        Set<String> described = new HashSet<>();
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertNotNull(in, "no configuration metadata");
            JsonObject metadata = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                    .getAsJsonObject();
            for (JsonElement property : metadata.getAsJsonArray("properties")) {
                JsonObject p = property.getAsJsonObject();
                if (p.has("description") && !p.get("description").getAsString().isBlank()) {
                    described.add(p.get("name").getAsString());
                }
            }
        }
        assertEquals(expected, described);
    }

    @Test
    void bindsEveryPropertyOntoTheModel() {
        runner.withPropertyValues(
                        "spring.ai.sparseinfer.model=minilm",
                        "spring.ai.sparseinfer.batch-size=4",
                        "spring.ai.sparseinfer.pooling=CLS",
                        "spring.ai.sparseinfer.normalize=false")
                // The property loaders keep a value's trailing space; TestPropertyValues would trim it.
                .withInitializer(context -> context.getEnvironment()
                        .getPropertySources()
                        .addFirst(new MapPropertySource("prompt", Map.of("spring.ai.sparseinfer.prompt", "query: "))))
                .run(context -> {
                    assertNull(context.getStartupFailure());
                    SparseInferProperties properties = context.getBean(SparseInferProperties.class);
                    assertEquals(4, properties.batchSize());
                    assertEquals("query: ", properties.prompt());

                    ModelOptions expected = ModelOptions.defaults()
                            .withBackend(BackendKind.CPU)
                            .withThreads(2)
                            .withBatchSize(4)
                            .withPooling(Pooling.CLS)
                            .withNormalize(false)
                            .withPrompt("query: ");
                    assertEquals(expected, properties.toModelOptions());
                    try (EmbeddingModel engine = EmbeddingModel.open(modelPath, expected)) {
                        float[] vector =
                                context.getBean(SparseInferEmbeddingModel.class).embed(TEXT);
                        assertTrue(cosine(engine.embed(TEXT).vector(), vector) >= 0.999999);
                        assertTrue(Math.abs(norm(vector) - 1) > 1e-3, "not normalised: norm " + norm(vector));
                    }
                });
    }

    @Test
    void opensAModelByPath() {
        runner.withPropertyValues("spring.ai.sparseinfer.model=" + modelPath).run(context -> {
            SparseInferEmbeddingModel model = context.getBean(SparseInferEmbeddingModel.class);
            assertEquals(384, model.dimensions());
            assertEquals(modelPath.getFileName().toString(), model.modelName());
        });
    }

    @Test
    void closesTheModelWithTheContext() {
        SparseInferEmbeddingModel[] model = new SparseInferEmbeddingModel[1];
        runner.withPropertyValues("spring.ai.sparseinfer.model=minilm")
                .run(context -> model[0] = context.getBean(SparseInferEmbeddingModel.class));

        assertThrows(IllegalStateException.class, () -> model[0].embed(TEXT));
    }

    @Test
    void backsOffForTheApplicationsOwnModel() {
        try (SparseInferEmbeddingModel own = new SparseInferEmbeddingModel(
                modelPath, ModelOptions.defaults().withBackend(BackendKind.CPU).withThreads(1))) {
            runner.withPropertyValues("spring.ai.sparseinfer.model=no-such-model")
                    .withBean(SparseInferEmbeddingModel.class, () -> own)
                    .run(context -> assertSame(own, context.getBean(SparseInferEmbeddingModel.class)));
        }
    }

    @Test
    void backsOffWhenAnotherEmbeddingModelIsSelected() {
        runner.withPropertyValues("spring.ai.model.embedding=openai", "spring.ai.sparseinfer.model=no-such-model")
                .run(context -> {
                    assertNull(context.getStartupFailure());
                    assertFalse(context.containsBean("sparseInferEmbeddingModel"));
                });
    }

    @Test
    void runsWhenSelectedByName() {
        runner.withPropertyValues("spring.ai.model.embedding=sparseinfer", "spring.ai.sparseinfer.model=minilm")
                .run(context -> assertEquals(
                        384, context.getBean(SparseInferEmbeddingModel.class).dimensions()));
    }

    @Test
    void failsOnAnUnknownPooling() {
        assertStartupFails(
                "spring.ai.sparseinfer.pooling: unknown pooling 'avg' (expected cls|mean|max|last)",
                "spring.ai.sparseinfer.model=minilm",
                "spring.ai.sparseinfer.pooling=avg");
    }

    @Test
    void failsOnAnUnknownBackend() {
        assertStartupFails(
                "spring.ai.sparseinfer.backend: unknown backend 'tpu' (expected auto, cpu or cuda)",
                "spring.ai.sparseinfer.model=minilm",
                "spring.ai.sparseinfer.backend=tpu");
    }

    @Test
    void failsOnZeroThreads() {
        assertStartupFails(
                "spring.ai.sparseinfer.threads must be at least 1, got 0",
                "spring.ai.sparseinfer.model=minilm",
                "spring.ai.sparseinfer.threads=0");
    }

    @Test
    void failsOnAPromptAndAPromptName() {
        assertStartupFails(
                "set spring.ai.sparseinfer.prompt or spring.ai.sparseinfer.prompt-name, not both",
                "spring.ai.sparseinfer.model=minilm",
                "spring.ai.sparseinfer.prompt=query: ",
                "spring.ai.sparseinfer.prompt-name=query");
    }

    @Test
    void failsWithoutAModel() {
        SparseInferException e = startupFailure();

        assertTrue(
                e.getMessage().startsWith("spring.ai.sparseinfer.model is not set: give a built-in model ("),
                e.getMessage());
        assertTrue(e.getMessage().contains("all-minilm-l6-v2"), e.getMessage());
    }

    @Test
    void failsOnAModelThatIsNeitherBuiltInNorAFile() {
        SparseInferException e = startupFailure("spring.ai.sparseinfer.model=target/no-such-model.onnx");

        assertTrue(
                e.getMessage()
                        .startsWith("spring.ai.sparseinfer.model: unknown model 'target/no-such-model.onnx': "
                                + "not a built-in model ("),
                e.getMessage());
        assertEquals(SparseInferException.Code.INVALID_ARGUMENT, e.code());
    }

    @Test
    void reportsAFailedStartWithTheOneLineMessage() {
        SparseInferException cause =
                startupFailure("spring.ai.sparseinfer.model=minilm", "spring.ai.sparseinfer.pooling=avg");
        FailureAnalysis analysis =
                new SparseInferFailureAnalyzer().analyze(new IllegalStateException("context failed", cause));

        assertEquals(
                "spring.ai.sparseinfer.pooling: unknown pooling 'avg' (expected cls|mean|max|last) (INVALID_ARGUMENT)",
                analysis.getDescription());
        assertSame(cause, analysis.getCause());
    }

    private void assertStartupFails(String message, String... properties) {
        assertEquals(message, startupFailure(properties).getMessage());
    }

    /** The SparseInfer error at the root of the context's failure to start with these properties. */
    private SparseInferException startupFailure(String... properties) {
        Throwable[] failure = new Throwable[1];
        runner.withPropertyValues(properties).run(context -> failure[0] = context.getStartupFailure());
        assertNotNull(failure[0], "the context started");
        Throwable root = failure[0];
        while (root.getCause() != null && !(root instanceof SparseInferException)) {
            root = root.getCause();
        }
        return assertInstanceOf(SparseInferException.class, root, () -> "failed with " + failure[0]);
    }

    private static double norm(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        return Math.sqrt(sum);
    }

    private static double cosine(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
        }
        return dot / (norm(a) * norm(b));
    }
}
