package dev.sparseinfer.models.packed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.EmbeddingRecipe;
import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.io.packed.PackedModel;
import dev.sparseinfer.engine.io.packed.TableFormat;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.models.BuiltinModels;
import dev.sparseinfer.models.ModelRegistry;
import dev.sparseinfer.models.calibration.CalibrationSet;
import dev.sparseinfer.models.calibration.Progress;
import dev.sparseinfer.models.evaluate.EmbeddingAgreement;
import dev.sparseinfer.models.evaluate.QualityCheck;
import dev.sparseinfer.models.prune.PruneMethod;
import dev.sparseinfer.models.prune.PrunePattern;
import dev.sparseinfer.models.prune.PruneSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DerivationTest {

    /** MiniLM's vocabulary and positions, so its tokenizer reads the held-out texts, but 16 wide and one layer. */
    private static final BertConfig CONFIG = new BertConfig(30522, 16, 1, 4, 28, 512, 2, 1e-12, BertConfig.GELU);

    @TempDir
    Path dir;

    @Test
    void int8TablesEmbedTheHeldOutTextsAsFp32TablesDoFromAQuarterOfTheBytes() throws IOException {
        long seed = Seeds.fresh();
        LoadedModel input = new LoadedModel(RandomBert.weights(CONFIG, new Random(seed)), minilmTokenizer(), "random");
        Path fp32 = dir.resolve("fp32-tables.safetensors");
        Path int8 = dir.resolve("int8-tables.safetensors");
        Derivation.quantize(input, Int8Scheme.W8).write(fp32);
        LoadedModel written =
                Derivation.quantize(input, Int8Scheme.W8, TableFormat.INT8).write(int8);

        LoadedModel withFp32 = PackedModel.load(fp32);
        LoadedModel withInt8 = PackedModel.load(int8);
        EmbeddingAgreement agreement = QualityCheck.compare(withFp32, withInt8, CalibrationSet.heldOutTexts(), 1);

        String context = "seed=" + seed + ": " + agreement;
        assertTrue(agreement.minCosine() >= 0.999, context);
        assertArrayEquals(
                withInt8.weights().embeddings().word().toMatrix().data(),
                written.weights().embeddings().word().toMatrix().data(),
                "what write returns is what the file loads as " + context);
        long saved = Files.size(fp32) - Files.size(int8);
        long tableEntries =
                (long) (CONFIG.vocabSize() + CONFIG.maxPositions() + CONFIG.typeVocabSize()) * CONFIG.hiddenSize();
        long scales = CONFIG.vocabSize() + CONFIG.maxPositions() + CONFIG.typeVocabSize();
        // 4 bytes an entry become 1, plus a 4-byte scale a row; the header (names, digests) differs by under 1 KiB.
        assertEquals(3 * tableEntries - 4 * scales, saved, 1024, context);
    }

    @Test
    void aDerivedFileKeepsItsSourcesPoolingNormalisationAndPrompts() throws IOException {
        EmbeddingRecipe bge = BuiltinModels.BGE_SMALL_EN_V15.recipe();
        LoadedModel input = new LoadedModel(
                RandomBert.weights(CONFIG, new Random(Seeds.fresh())), minilmTokenizer(), "random", Map.of(), bge);
        Path pruned = dir.resolve("pruned.safetensors");
        PruneSpec spec = PruneSpec.of(PrunePattern.UNSTRUCTURED, 0.5, PruneMethod.MAGNITUDE);
        assertEquals(
                bge,
                Derivation.prune(input, spec, List.of(), 1, Progress.NONE)
                        .write(pruned)
                        .recipe());
        assertEquals(bge, PackedModel.load(pruned).recipe());
        Path quantized = dir.resolve("quantized.safetensors");
        Derivation.quantize(PackedModel.load(pruned), Int8Scheme.W8A8).write(quantized);
        assertEquals(bge, PackedModel.load(quantized).recipe(), "kept through a second derivation");
    }

    private static String minilmTokenizer() throws IOException {
        try (InputStream in = ModelRegistry.class
                .getClassLoader()
                .getResourceAsStream(ModelRegistry.MINILM.tokenizer().resource())) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
