package dev.sparseinfer.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.io.packed.PackedModel;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.ReferenceBert;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.engine.testing.TinyBert;
import dev.sparseinfer.engine.testing.TinyTokenizer;
import dev.sparseinfer.engine.tokenizer.TextTokenizer;
import dev.sparseinfer.engine.tokenizer.TokenizedText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingModelTest {

    /** 16 positions: more than the tiny tokenizer keeps. */
    private static final BertConfig CONFIG = new BertConfig(21, 16, 2, 4, 24, 16, 2, 1e-12, BertConfig.GELU);

    private static final ModelOptions CPU =
            ModelOptions.defaults().withBackend(BackendKind.CPU).withThreads(1);
    private static final String LONG_TEXT = "the cat sat on the mat, a dog sat on the cat, the cat ran.";

    @TempDir
    Path dir;

    @Test
    void saysItsDimensionAndCutsLongTextsToItsMaxTokens() {
        long seed = Seeds.fresh();
        try (EmbeddingModel model = EmbeddingModel.open(packed(CONFIG, seed), CPU)) {
            assertEquals(16, model.dimension());
            assertEquals(TinyTokenizer.MAX_LENGTH, model.maxTokens(), "the tokenizer truncates first");
            Embedding e = model.embed(LONG_TEXT);
            assertEquals(model.dimension(), e.vector().length, "seed " + seed);
            assertEquals(model.maxTokens(), e.tokens(), "seed " + seed);
        }
    }

    @Test
    void maxTokensIsThePositionTableWhereThatIsShorterThanTheTokenizersCut() {
        BertConfig fewPositions = new BertConfig(21, 16, 1, 4, 24, 8, 2, 1e-12, BertConfig.GELU);
        try (EmbeddingModel model = EmbeddingModel.open(packed(fewPositions, Seeds.fresh()), CPU)) {
            assertEquals(8, model.maxTokens());
        }
    }

    @Test
    void aCallAfterCloseFailsWithAMessage() {
        EmbeddingModel model = EmbeddingModel.open(packed(CONFIG, Seeds.fresh()), CPU);
        model.embed("the cat");
        model.close();
        model.close(); // closing twice does nothing

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> model.embed("the cat"));
        assertEquals("the model is closed", e.getMessage());
    }

    /** A sentence-transformers directory, as the library saves one: Transformer, Pooling by CLS, Normalize. */
    @Test
    void aDirectoryWhosePoolingConfigSaysClsPoolsTheFirstTokenUnlessTheOptionsSayOtherwise() throws IOException {
        long seed = Seeds.fresh();
        Path hf = dir.resolve("hf");
        TinyBert model = TinyBert.write(hf, seed);
        Files.writeString(hf.resolve("tokenizer.json"), TinyTokenizer.json());
        Files.writeString(hf.resolve("modules.json"), """
                [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                 {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                 {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]
                """);
        Files.createDirectories(hf.resolve("1_Pooling"));
        Files.writeString(hf.resolve("1_Pooling/config.json"), """
                {"word_embedding_dimension": 12, "pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false,
                 "pooling_mode_max_tokens": false, "pooling_mode_mean_sqrt_len_tokens": false}
                """);
        String text = "the cat sat on the mat.";
        TokenizedText tokens;
        try (TextTokenizer tokenizer = TextTokenizer.fromJson(TinyTokenizer.json(), "tiny")) {
            tokens = tokenizer.encode(List.of(text)).getFirst();
        }
        double[][] hidden = ReferenceBert.lastHiddenStates(model.encoder(), tokens.ids(), tokens.typeIds());
        try (EmbeddingModel cls = EmbeddingModel.open(hf, CPU);
                EmbeddingModel mean = EmbeddingModel.open(hf, CPU.withPooling(Pooling.MEAN))) {
            assertEquals(EmbeddingRecipe.of(Pooling.CLS, true), cls.recipe());
            assertEquals(EmbeddingRecipe.of(Pooling.MEAN, true), mean.recipe());
            assertClose(normalized(hidden[0]), cls.embed(text).vector(), "CLS, seed " + seed);
            assertClose(
                    ReferenceBert.embed(model.encoder(), tokens.ids(), tokens.typeIds()),
                    mean.embed(text).vector(),
                    "mean, seed " + seed);
        }
    }

    @Test
    void aDirectoryWithoutSentenceTransformersFilesIsMeanPooledAndNormalised() throws IOException {
        Path hf = dir.resolve("plain");
        TinyBert.write(hf, Seeds.fresh());
        Files.writeString(hf.resolve("tokenizer.json"), TinyTokenizer.json());
        try (EmbeddingModel model = EmbeddingModel.open(hf, CPU)) {
            assertEquals(EmbeddingRecipe.MEAN_NORMALIZED, model.recipe());
        }
        try (EmbeddingModel model = EmbeddingModel.open(hf, CPU.withNormalize(false))) {
            assertEquals(EmbeddingRecipe.of(Pooling.MEAN, false), model.recipe());
            assertTrue(Math.abs(norm(model.embed("the cat").vector()) - 1) > 1e-3, "left at its pooled length");
        }
    }

    private static double[] normalized(double[] v) {
        double norm = 0;
        for (double x : v) {
            norm += x * x;
        }
        double[] out = new double[v.length];
        for (int c = 0; c < v.length; c++) {
            out[c] = v[c] / Math.sqrt(norm);
        }
        return out;
    }

    private static double norm(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += x * x;
        }
        return Math.sqrt(sum);
    }

    private static void assertClose(double[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int c = 0; c < expected.length; c++) {
            assertEquals(expected[c], actual[c], 2e-5, what + ", value " + c);
        }
    }

    private Path packed(BertConfig config, long seed) {
        Path file = dir.resolve("model-" + seed + ".safetensors");
        LoadedModel model =
                new LoadedModel(RandomBert.weights(config, new Random(seed)), TinyTokenizer.json(), "random");
        PackedModel.write(model, "{}", file);
        return file;
    }
}
