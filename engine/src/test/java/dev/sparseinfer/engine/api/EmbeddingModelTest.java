package dev.sparseinfer.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.io.packed.PackedModel;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.engine.testing.TinyTokenizer;
import java.nio.file.Path;
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

    private Path packed(BertConfig config, long seed) {
        Path file = dir.resolve("model-" + seed + ".safetensors");
        LoadedModel model =
                new LoadedModel(RandomBert.weights(config, new Random(seed)), TinyTokenizer.json(), "random");
        PackedModel.write(model, "{}", file);
        return file;
    }
}
