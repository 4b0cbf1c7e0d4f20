package dev.sparseinfer.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.Embedding;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.io.packed.PackedModel;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.engine.testing.TinyTokenizer;
import java.nio.file.Path;
import java.util.List;
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

    private Path packed(long seed) {
        Path file = dir.resolve("model-" + seed + ".safetensors");
        LoadedModel model =
                new LoadedModel(RandomBert.weights(CONFIG, new Random(seed)), TinyTokenizer.json(), "random");
        PackedModel.write(model, "{}", file);
        return file;
    }
}
