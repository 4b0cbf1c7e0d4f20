package dev.sparseinfer.engine.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

class EmbeddingModelTest {

    private static final BertConfig CONFIG = new BertConfig(21, 16, 2, 4, 24, 16, 2, 1e-12, BertConfig.GELU);
    private static final ModelOptions CPU = ModelOptions.defaults().withBackend(BackendKind.CPU).withThreads(1);
    private static final List<String> TEXTS = List.of("the cat sat on the mat.", "dogs running", "猫, cafe!", "");

    @TempDir
    Path dir;

    @Test
    void aModelRunFromItsMappedFileEmbedsExactlyAsOneLoadedIntoMemory() {
        long seed = Seeds.fresh();
        Path file = packed(seed);
        try (EmbeddingModel mapped = EmbeddingModel.open(file, CPU);
             EmbeddingModel inMemory = EmbeddingModel.open(PackedModel.load(file), CPU)) {
            List<Embedding> expected = inMemory.embed(TEXTS);
            List<Embedding> actual = mapped.embed(TEXTS);
            for (int i = 0; i < TEXTS.size(); i++) {
                assertEquals(expected.get(i).tokens(), actual.get(i).tokens(), "text " + i + ", seed " + seed);
                assertArrayEquals(expected.get(i).vector(), actual.get(i).vector(), "text " + i + ", seed " + seed);
            }
        }
    }

    @Test
    void aCallAfterCloseFailsWithAMessage() {
        EmbeddingModel model = EmbeddingModel.open(packed(Seeds.fresh()), CPU);
        model.embed("the cat");
        model.close();
        model.close(); // closing twice does nothing

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> model.embed("the cat"));
        assertEquals("the model is closed", e.getMessage());
        assertThrows(IllegalStateException.class, () -> model.tokenize(TEXTS));
    }

    private Path packed(long seed) {
        Path file = dir.resolve("model-" + seed + ".safetensors");
        LoadedModel model = new LoadedModel(RandomBert.weights(CONFIG, new Random(seed)), TinyTokenizer.json(), "random");
        PackedModel.write(model, "{}", file);
        return file;
    }
}
