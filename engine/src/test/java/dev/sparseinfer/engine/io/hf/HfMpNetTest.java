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
import dev.sparseinfer.engine.testing.TinyMpNet;
import dev.sparseinfer.engine.tokenizer.TokenizedText;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MPNet directories run as the float64 reference forward pass computes them, with positions numbered from the
 * padding index and the relative position bias bucketed as transformers' {@code MPNetEncoder} does, here written
 * out independently of the engine's.
 */
class HfMpNetTest {

    private static final ModelOptions CPU =
            ModelOptions.defaults().withBackend(BackendKind.CPU).withThreads(2);
    /**
     * One token, a few, a text spelling out the pad token, and one of 142 tokens, whose distances fill every bucket
     * up to the last of each direction (128 and more).
     */
    private static final List<String> TEXTS = List.of(
            "a",
            "the cat sat on the mat.",
            "the [PAD] cat sat.",
            "the cat sat on the mat . ".repeat(20).strip());

    @TempDir
    Path dir;

    @Test
    void mpnetRunsLikeTheReferenceWithOrWithoutItsTaskModelPrefix() {
        for (String prefix : List.of("mpnet.", "")) {
            long seed = Seeds.fresh();
            Path directory = dir.resolve("prefix-" + prefix);
            TinyMpNet model = TinyMpNet.write(directory, prefix, 32, seed);
            try (EmbeddingRunner runner = EmbeddingRunner.open(directory, CPU)) {
                assertRunsLikeTheReference(runner, model, seed);
            }
        }
    }

    @Test
    void aTableWithMoreBucketsThanTransformersUsesRunsOnItsFirst32() {
        long seed = Seeds.fresh();
        TinyMpNet model = TinyMpNet.write(dir, "", 40, seed);
        try (EmbeddingRunner runner = EmbeddingRunner.open(dir, CPU)) {
            assertRunsLikeTheReference(runner, model, seed);
        }
    }

    @Test
    void aTableWithFewerThan32BucketsIsRefusedByName() {
        // The helper writes the directory, then fails to build the expected encoder from the same tensors.
        assertThrows(SparseInferException.class, () -> TinyMpNet.write(dir, "", 16, 7));
        SparseInferException e = assertThrows(SparseInferException.class, () -> HfBertLoader.open(dir, "{}"));
        assertEquals(
                dir + ": encoder.relative_attention_bias.weight is [16, 3], expected [32 or more buckets, 3 heads]",
                e.getMessage());
    }

    @Test
    void aPackedCopyKeepsTheArchitectureAndTheBiasAndEmbedsTheSame() throws IOException {
        long seed = Seeds.fresh();
        Path hf = dir.resolve("hf");
        TinyMpNet.write(hf, "mpnet.", 32, seed);
        Path packed = dir.resolve("mpnet.safetensors");
        PackedModel.write(ModelLoader.load(hf), "{}", packed);

        try (EmbeddingRunner fromHf = EmbeddingRunner.open(hf, CPU);
                EmbeddingRunner fromPacked = EmbeddingRunner.open(packed, CPU)) {
            assertEquals(Architecture.MPNET, fromPacked.config().architecture(), "seed " + seed);
            assertEquals(fromHf.config(), fromPacked.config(), "seed " + seed);
            List<Embedding> expected = fromHf.embed(TEXTS);
            List<Embedding> actual = fromPacked.embed(TEXTS);
            for (int i = 0; i < TEXTS.size(); i++) {
                assertArrayEquals(expected.get(i).vector(), actual.get(i).vector(), "text " + i + " seed " + seed);
            }
        }
    }

    private static void assertRunsLikeTheReference(EmbeddingRunner runner, TinyMpNet model, long seed) {
        assertEquals(model.config(), runner.config(), "seed " + seed);
        List<TokenizedText> tokens = runner.tokenize(TEXTS);
        assertEquals(142, tokens.getLast().ids().length, "the long text reaches the last buckets");
        assertTrue(contains(tokens.get(2).ids(), TinyMpNet.PAD), "a written [PAD] stays the pad token");
        List<Embedding> actual = runner.embed(TEXTS);
        int heads = model.config().heads();
        float[] table = model.relativePositionBias();
        for (int i = 0; i < TEXTS.size(); i++) {
            int[] ids = tokens.get(i).ids();
            double[] expected = ReferenceBert.embed(
                    model.encoder(),
                    ids,
                    tokens.get(i).typeIds(),
                    robertaPositions(ids, model.config().padTokenId()),
                    (head, query, key) -> table[bucket(key - query) * heads + head]);
            double error = relativeError(actual.get(i).vector(), expected);
            assertTrue(error <= 1e-5, "text " + i + ": relative error " + error + " (seed " + seed + ")");
        }
    }

    /**
     * transformers' MPNet {@code relative_position_bucket} (32 buckets, max distance 128) of a key {@code relative}
     * tokens after its query, in exact integer arithmetic: keys after the query take buckets 16..31; a distance
     * {@code n} below 8 is its own bucket; beyond, {@code 8 + floor(8 * log(n / 8) / log(16))} capped at 15, which is
     * 8 plus the largest {@code k} with {@code 8 * 2^(k/2) <= n}, that is {@code n^2 >= 64 * 2^k}.
     */
    static int bucket(int relative) {
        int offset = relative > 0 ? 16 : 0;
        int n = Math.abs(relative);
        if (n < 8) {
            return offset + n;
        }
        int k = 0;
        while (k < 7 && (long) n * n >= 64L << (k + 1)) {
            k++;
        }
        return offset + 8 + k;
    }

    /** RoBERTa's {@code create_position_ids_from_input_ids}, which MPNet's embeddings use. */
    private static int[] robertaPositions(int[] ids, int pad) {
        int[] positions = new int[ids.length];
        int cumulative = 0;
        for (int t = 0; t < ids.length; t++) {
            int mask = ids[t] != pad ? 1 : 0;
            cumulative += mask;
            positions[t] = cumulative * mask + pad;
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
