package dev.sparseinfer.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.Embedding;
import dev.sparseinfer.engine.api.EmbeddingRecipe;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.io.packed.PackedModel;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.model.bert.BertWeights;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.ReferenceBert;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.engine.testing.TinyTokenizer;
import dev.sparseinfer.engine.tokenizer.TokenizedText;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingRunnerTest {

    private static final BertConfig CONFIG = new BertConfig(21, 16, 2, 4, 24, 16, 2, 1e-12, BertConfig.GELU);
    private static final ModelOptions CPU =
            ModelOptions.defaults().withBackend(BackendKind.CPU).withThreads(1);
    private static final List<String> TEXTS = List.of("the cat sat on the mat.", "dogs running", "猫, cafe!", "");

    @TempDir
    Path dir;

    @Test
    void aModelRunFromItsMappedFileEmbedsExactlyAsOneLoadedIntoMemory() {
        long seed = Seeds.fresh();
        Path file = packed(seed);
        try (EmbeddingRunner mapped = EmbeddingRunner.open(file, CPU);
                EmbeddingRunner inMemory = EmbeddingRunner.open(PackedModel.load(file), CPU)) {
            List<Embedding> expected = inMemory.embed(TEXTS);
            List<Embedding> actual = mapped.embed(TEXTS);
            for (int i = 0; i < TEXTS.size(); i++) {
                assertEquals(expected.get(i).tokens(), actual.get(i).tokens(), "text " + i + ", seed " + seed);
                assertArrayEquals(expected.get(i).vector(), actual.get(i).vector(), "text " + i + ", seed " + seed);
            }
        }
    }

    @Test
    void embeddingPreTokenisedTextsAsOneBatchGivesWhatEmbeddingTheTextsGives() {
        long seed = Seeds.fresh();
        try (EmbeddingRunner runner = EmbeddingRunner.open(packed(seed), CPU.withBatchSize(TEXTS.size()))) {
            List<Embedding> expected = runner.embed(TEXTS);
            List<Embedding> actual = runner.embedBatch(runner.tokenize(TEXTS));
            for (int i = 0; i < TEXTS.size(); i++) {
                assertEquals(expected.get(i).tokens(), actual.get(i).tokens(), "text " + i + ", seed " + seed);
                assertArrayEquals(expected.get(i).vector(), actual.get(i).vector(), "text " + i + ", seed " + seed);
            }
        }
    }

    @Test
    void tokenisingAfterCloseFailsWithAMessage() {
        EmbeddingRunner runner = EmbeddingRunner.open(packed(Seeds.fresh()), CPU);
        runner.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> runner.tokenize(TEXTS));
        assertEquals("the model is closed", e.getMessage());
    }

    /** The prompt becomes part of the text, as in sentence-transformers: its tokens are counted and embedded. */
    @Test
    void aPromptEmbedsAsTheTextWithThePromptWrittenInFront() {
        long seed = Seeds.fresh();
        EmbeddingRecipe recipe = new EmbeddingRecipe(Pooling.MEAN, true, Map.of("query", "the dog "), null);
        Path file = packed(seed, recipe);
        List<String> texts = List.of("cat sat", "", "猫, cafe!");
        List<String> written = texts.stream().map(t -> "the dog " + t).toList();
        try (EmbeddingRunner plain = EmbeddingRunner.open(file, CPU);
                EmbeddingRunner named = EmbeddingRunner.open(file, CPU.withPromptName("query"));
                EmbeddingRunner literal = EmbeddingRunner.open(file, CPU.withPrompt("the dog "))) {
            assertEquals("", plain.prompt(), "a model without a default prompt puts none");
            assertEquals("the dog ", named.prompt());
            assertSameEmbeddings(plain.embed(written), named.embed(texts), "named, seed " + seed);
            assertSameEmbeddings(plain.embed(written), literal.embed(texts), "literal, seed " + seed);
            for (int i = 0; i < texts.size(); i++) {
                assertArrayEquals(
                        plain.tokenize(written).get(i).ids(),
                        named.tokenize(texts).get(i).ids(),
                        "tokenising puts the prompt in front too");
            }
            assertEquals(
                    plain.embed(List.of("cat sat")).getFirst().tokens() + 2,
                    named.embed(List.of("cat sat")).getFirst().tokens());
        }
    }

    /**
     * sentence-transformers' {@code include_prompt: false}: mean and max pooling skip the prompt's tokens, counted as
     * the prompt tokenised alone less its closing [SEP] ({@code [CLS] the dog}), as the float64 reference shows.
     */
    @Test
    void withIncludePromptFalseMeanAndMaxPoolingLeaveThePromptsTokensOut() {
        long seed = Seeds.fresh();
        BertWeights weights = RandomBert.weights(CONFIG, new Random(seed));
        List<String> texts = List.of("cat sat", "猫, cafe!", "");
        for (Pooling pooling : List.of(Pooling.MEAN, Pooling.MAX)) {
            EmbeddingRecipe recipe = new EmbeddingRecipe(pooling, true, Map.of("query", "the dog "), "query", false);
            try (EmbeddingRunner runner = EmbeddingRunner.open(packed(seed, recipe), CPU);
                    EmbeddingRunner pooledWhole =
                            EmbeddingRunner.open(packed(seed, recipe.withIncludePrompt(true)), CPU)) {
                List<TokenizedText> tokens = runner.tokenize(texts);
                List<Embedding> actual = runner.embed(texts);
                for (int i = 0; i < texts.size(); i++) {
                    int[] ids = tokens.get(i).ids();
                    assertEquals(List.of(2, 4), List.of(ids[0], ids[1]), "[CLS] the ...");
                    double[][] states = ReferenceBert.lastHiddenStates(
                            weights, ids, tokens.get(i).typeIds());
                    double[] expected = pooledFrom(states, 3, pooling);
                    String where = pooling + " text " + i + ", seed " + seed;
                    for (int c = 0; c < expected.length; c++) {
                        assertEquals(expected[c], actual.get(i).vector()[c], 1e-5, where);
                    }
                    assertEquals(ids.length, actual.get(i).tokens(), where);
                }
                assertFalse(
                        Arrays.equals(
                                actual.getFirst().vector(),
                                pooledWhole.embed(texts).getFirst().vector()),
                        "pooling the prompt's tokens gives another vector, seed " + seed);
            }
        }
    }

    /** The tokens from {@code from} on, mean- or max-pooled, then L2-normalised. */
    private static double[] pooledFrom(double[][] states, int from, Pooling pooling) {
        double[] v = new double[states[0].length];
        Arrays.fill(v, pooling == Pooling.MAX ? Double.NEGATIVE_INFINITY : 0);
        for (int t = from; t < states.length; t++) {
            for (int c = 0; c < v.length; c++) {
                v[c] = pooling == Pooling.MAX
                        ? Math.max(v[c], states[t][c])
                        : v[c] + states[t][c] / (states.length - from);
            }
        }
        double norm = 0;
        for (double x : v) {
            norm += x * x;
        }
        for (int c = 0; c < v.length; c++) {
            v[c] /= Math.sqrt(norm);
        }
        return v;
    }

    @Test
    void includePromptFalseChangesNothingForClsPooling() {
        long seed = Seeds.fresh();
        EmbeddingRecipe recipe = new EmbeddingRecipe(Pooling.CLS, true, Map.of("query", "the dog "), "query");
        try (EmbeddingRunner included = EmbeddingRunner.open(packed(seed, recipe), CPU);
                EmbeddingRunner excluded = EmbeddingRunner.open(packed(seed, recipe.withIncludePrompt(false)), CPU)) {
            assertSameEmbeddings(included.embed(TEXTS), excluded.embed(TEXTS), "seed " + seed);
        }
    }

    @Test
    void aModelsDefaultPromptIsUsedUnlessTheOptionsGiveAnother() {
        long seed = Seeds.fresh();
        Path file = packed(
                seed,
                new EmbeddingRecipe(Pooling.CLS, true, Map.of("query", "the dog ", "passage", "a cat "), "query"));
        try (EmbeddingRunner byDefault = EmbeddingRunner.open(file, CPU);
                EmbeddingRunner none = EmbeddingRunner.open(file, CPU.withPrompt(""));
                EmbeddingRunner passage = EmbeddingRunner.open(file, CPU.withPromptName("passage"))) {
            assertEquals("the dog ", byDefault.prompt());
            assertEquals("", none.prompt());
            assertEquals("a cat ", passage.prompt());
            assertEquals("passage", passage.recipe().defaultPromptName());
            assertSameEmbeddings(none.embed(List.of("the dog sat")), byDefault.embed(List.of("sat")), "seed " + seed);
        }
    }

    @Test
    void anUnknownPromptNameFailsNamingTheModelsPrompts() {
        Path file = packed(
                Seeds.fresh(), new EmbeddingRecipe(Pooling.MEAN, true, Map.of("query", "q: ", "passage", "p: "), null));
        SparseInferException e = assertThrows(
                SparseInferException.class, () -> EmbeddingRunner.open(file, CPU.withPromptName("document")));
        assertEquals(SparseInferException.Code.INVALID_ARGUMENT, e.code());
        assertTrue(
                e.getMessage().contains("'document'")
                        && e.getMessage().contains("query")
                        && e.getMessage().contains("passage"),
                e.getMessage());
    }

    private static void assertSameEmbeddings(List<Embedding> expected, List<Embedding> actual, String what) {
        assertEquals(expected.size(), actual.size(), what);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).tokens(), actual.get(i).tokens(), "text " + i + ", " + what);
            assertArrayEquals(expected.get(i).vector(), actual.get(i).vector(), "text " + i + ", " + what);
        }
    }

    private Path packed(long seed) {
        return packed(seed, EmbeddingRecipe.MEAN_NORMALIZED);
    }

    private Path packed(long seed, EmbeddingRecipe recipe) {
        Path file = dir.resolve("model-" + seed + "-" + recipe.hashCode() + ".safetensors");
        LoadedModel model = new LoadedModel(
                RandomBert.weights(CONFIG, new Random(seed)), TinyTokenizer.json(), "random", Map.of(), recipe);
        PackedModel.write(model, "{}", file);
        return file;
    }
}
