package dev.sparseinfer.engine.io.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.Embedding;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.io.ModelLoader;
import dev.sparseinfer.engine.io.packed.PackedModel;
import dev.sparseinfer.engine.model.bert.Architecture;
import dev.sparseinfer.engine.runtime.EmbeddingRunner;
import dev.sparseinfer.engine.testing.ReferenceBert;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.engine.testing.TinyEncoder;
import dev.sparseinfer.engine.testing.TinySubwordTokenizers;
import dev.sparseinfer.engine.tokenizer.TokenizedText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RoBERTa, XLM-RoBERTa and DistilBERT directories, tokenised by their own kinds of tokenizer.json, run as the float64
 * reference forward pass computes them with positions numbered as transformers numbers them.
 */
class HfEncoderArchitecturesTest {

    private static final ModelOptions CPU =
            ModelOptions.defaults().withBackend(BackendKind.CPU).withThreads(2);
    /** Short and long texts, one cut by truncation, one spelling out the pad token. */
    private static final List<String> TEXTS = List.of(
            "the cat.", "the <pad> cat sat on the mat.", "a", "the cat sat on the mat and the cat ran on the mat.");

    @TempDir
    Path dir;

    @Test
    void robertaWithByteLevelBpeRunsLikeTheReferenceWithPositionsAfterThePaddingIndex() {
        long seed = Seeds.fresh();
        TinyEncoder model = TinyEncoder.write(dir, Architecture.ROBERTA, "roberta.", seed);
        try (EmbeddingRunner runner = EmbeddingRunner.open(dir, CPU)) {
            assertArrayEquals(
                    new int[] {
                        TinySubwordTokenizers.BOS,
                        TinySubwordTokenizers.BPE_THE,
                        TinySubwordTokenizers.BPE_SPACE_CAT,
                        TinySubwordTokenizers.BPE_DOT,
                        TinySubwordTokenizers.EOS
                    },
                    runner.tokenize(List.of("the cat.")).getFirst().ids());
            assertTrue(
                    contains(runner.tokenize(TEXTS).get(1).ids(), TinyEncoder.PAD),
                    "the tokenizer keeps a written <pad> as the pad token, which must not advance the positions");
            assertRunsLikeTheReference(runner, model, seed);
        }
    }

    @Test
    void xlmRobertaWithASentencePieceTokenizerRunsLikeTheReference() {
        long seed = Seeds.fresh();
        TinyEncoder model = TinyEncoder.write(dir, Architecture.XLM_ROBERTA, "", seed);
        try (EmbeddingRunner runner = EmbeddingRunner.open(dir, CPU)) {
            assertArrayEquals(
                    new int[] {
                        TinySubwordTokenizers.BOS,
                        TinySubwordTokenizers.UNIGRAM_THE,
                        TinySubwordTokenizers.UNIGRAM_CAT,
                        TinySubwordTokenizers.UNIGRAM_SAT,
                        TinySubwordTokenizers.UNIGRAM_DOT,
                        TinySubwordTokenizers.EOS
                    },
                    runner.tokenize(List.of("the cat sat.")).getFirst().ids());
            assertRunsLikeTheReference(runner, model, seed);
        }
    }

    @Test
    void distilBertRunsLikeTheReferenceWithOrWithoutItsTaskModelPrefix() {
        for (String prefix : List.of("distilbert.", "")) {
            long seed = Seeds.fresh();
            Path directory = dir.resolve("prefix-" + prefix);
            TinyEncoder model = TinyEncoder.write(directory, Architecture.DISTILBERT, prefix, seed);
            try (EmbeddingRunner runner = EmbeddingRunner.open(directory, CPU)) {
                assertRunsLikeTheReference(runner, model, seed);
            }
        }
    }

    @Test
    void robertaCanHoldAsManyTokensAsPositionsAfterThePaddingIndex() {
        TinyEncoder model = TinyEncoder.write(dir, Architecture.ROBERTA, "", 5);
        assertEquals(
                TinyEncoder.MAX_POSITIONS - TinyEncoder.PAD - 1, model.config().maxTokens());
        try (EmbeddingRunner runner = EmbeddingRunner.open(dir, CPU)) {
            assertEquals(
                    Math.min(TinySubwordTokenizers.MAX_LENGTH, model.config().maxTokens()), runner.maxTokens());
        }
    }

    @Test
    void aPackedCopyKeepsTheArchitectureAndEmbedsTheSame() {
        for (Architecture architecture : List.of(Architecture.XLM_ROBERTA, Architecture.DISTILBERT)) {
            long seed = Seeds.fresh();
            Path hf = dir.resolve(architecture.modelType());
            TinyEncoder.write(hf, architecture, "", seed);
            Path packed = dir.resolve(architecture.modelType() + ".safetensors");
            PackedModel.write(ModelLoader.load(hf), "{}", packed);

            try (EmbeddingRunner fromHf = EmbeddingRunner.open(hf, CPU);
                    EmbeddingRunner fromPacked = EmbeddingRunner.open(packed, CPU)) {
                assertEquals(fromHf.config(), fromPacked.config(), "seed " + seed);
                List<Embedding> expected = fromHf.embed(TEXTS);
                List<Embedding> actual = fromPacked.embed(TEXTS);
                for (int i = 0; i < TEXTS.size(); i++) {
                    assertArrayEquals(expected.get(i).vector(), actual.get(i).vector(), architecture + " seed " + seed);
                }
            }
        }
    }

    @Test
    void anUnsupportedModelTypeIsNamedWithTheSupportedOnes() throws IOException {
        TinyEncoder.write(dir, Architecture.ROBERTA, "", 3);
        Path config = dir.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"roberta\"", "\"deberta-v2\""));

        SparseInferException e = assertThrows(SparseInferException.class, () -> HfBertLoader.open(dir, "{}"));
        assertEquals(
                config + ": model_type 'deberta-v2' is not supported (supported: bert, roberta, xlm-roberta, "
                        + "distilbert, mpnet)",
                e.getMessage());
    }

    private static void assertRunsLikeTheReference(EmbeddingRunner runner, TinyEncoder model, long seed) {
        assertEquals(model.config(), runner.config(), "seed " + seed);
        List<TokenizedText> tokens = runner.tokenize(TEXTS);
        List<Embedding> actual = runner.embed(TEXTS);
        for (int i = 0; i < TEXTS.size(); i++) {
            int[] ids = tokens.get(i).ids();
            double[] expected = ReferenceBert.embed(
                    model.encoder(), ids, tokens.get(i).typeIds(), transformersPositions(ids, model));
            assertEquals(ids.length, actual.get(i).tokens());
            double error = relativeError(actual.get(i).vector(), expected);
            assertTrue(
                    error <= 1e-5,
                    model.config().architecture() + " text " + i + ": relative error " + error + " (seed " + seed
                            + ")");
        }
    }

    /**
     * Position ids as transformers computes them: {@code create_position_ids_from_input_ids} for RoBERTa
     * ({@code cumsum(mask) * mask + padding_idx}, mask = not padding), {@code arange} for the others.
     */
    private static int[] transformersPositions(int[] ids, TinyEncoder model) {
        int[] positions = new int[ids.length];
        boolean roberta = model.config().architecture().positionsAfterPadding();
        int pad = model.config().padTokenId();
        int cumulative = 0;
        for (int t = 0; t < ids.length; t++) {
            int mask = ids[t] != pad ? 1 : 0;
            cumulative += mask;
            positions[t] = roberta ? cumulative * mask + pad : t;
        }
        return positions;
    }

    private static double relativeError(float[] actual, double[] expected) {
        double diff = 0;
        double norm = 0;
        for (int c = 0; c < expected.length; c++) {
            diff += (actual[c] - expected[c]) * (actual[c] - expected[c]);
            norm += expected[c] * expected[c];
        }
        return Math.sqrt(diff / norm);
    }

    private static boolean contains(int[] values, int value) {
        for (int v : values) {
            if (v == value) {
                return true;
            }
        }
        return false;
    }
}
