package dev.sparseinfer.models.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.backend.TokenBatch;
import dev.sparseinfer.engine.backend.cpu.CpuBackend;
import dev.sparseinfer.engine.format.DenseWeights;
import dev.sparseinfer.engine.format.FloatMatrix;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.io.packed.PackedModel;
import dev.sparseinfer.engine.model.bert.BertEncoder;
import dev.sparseinfer.engine.model.bert.BertLayer;
import dev.sparseinfer.engine.model.bert.BertWeights;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.engine.testing.TinyMpNet;
import dev.sparseinfer.models.calibration.CalibrationSet;
import dev.sparseinfer.models.calibration.Progress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The oracle for removing a head or an FFN channel: the unpruned model with that structure silenced (a head whose
 * value rows and bias are zero contributes nothing; nor does an FFN channel whose input row and bias are zero,
 * as GELU(0) = 0). The shrunk model must compute the same embeddings.
 */
class StructuredPrunerTest {

    @Test
    void droppingHeadsEqualsSilencingThem() {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        BertWeights dense = RandomBert.weights(TinyModels.CONFIG, random);
        CalibrationSet texts = TinyModels.calibration(random, 6);
        BertWeights pruned = StructuredPruner.prune(
                dense, new PruneSpec(PrunePattern.HEADS, 0.5, PruneMethod.MAGNITUDE), null, 1, Progress.NONE);

        int headDim = TinyModels.CONFIG.headDim();
        List<BertLayer> silenced = new ArrayList<>();
        for (int i = 0; i < dense.layers().size(); i++) {
            BertLayer before = dense.layers().get(i);
            BertLayer after = pruned.layers().get(i);
            assertEquals(2 * headDim, after.query().outFeatures(), "2 of 4 heads kept (seed=" + seed + ")");
            assertEquals(2 * headDim, after.attentionOutput().inFeatures());
            List<Integer> keptRows = keptRows(before.query(), after.query());
            silenced.add(new BertLayer(
                    before.query(),
                    before.key(),
                    zeroRowsExcept(before.value(), keptRows),
                    before.attentionOutput(),
                    before.attentionNorm(),
                    before.intermediate(),
                    before.output(),
                    before.outputNorm()));
        }
        assertSameEmbeddings(new BertWeights(dense.config(), dense.embeddings(), silenced), pruned, texts, seed);
    }

    @Test
    void droppingFfnChannelsEqualsSilencingThem() {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        BertWeights dense = RandomBert.weights(TinyModels.CONFIG, random);
        CalibrationSet texts = TinyModels.calibration(random, 6);
        BertWeights pruned = StructuredPruner.prune(
                dense, new PruneSpec(PrunePattern.FFN, 0.4, PruneMethod.MAGNITUDE), null, 1, Progress.NONE);

        List<BertLayer> silenced = new ArrayList<>();
        for (int i = 0; i < dense.layers().size(); i++) {
            BertLayer before = dense.layers().get(i);
            BertLayer after = pruned.layers().get(i);
            assertEquals(28 - Math.round(0.4 * 28), after.intermediate().outFeatures(), "seed=" + seed);
            List<Integer> keptRows = keptRows(before.intermediate(), after.intermediate());
            silenced.add(new BertLayer(
                    before.query(),
                    before.key(),
                    before.value(),
                    before.attentionOutput(),
                    before.attentionNorm(),
                    zeroRowsExcept(before.intermediate(), keptRows),
                    before.output(),
                    before.outputNorm()));
        }
        assertSameEmbeddings(new BertWeights(dense.config(), dense.embeddings(), silenced), pruned, texts, seed);
    }

    @Test
    void droppingLayersKeepsTheOthersUntouchedAndInOrder() {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        BertWeights dense = RandomBert.weights(TinyModels.CONFIG, random);
        BertWeights pruned = StructuredPruner.prune(
                dense,
                new PruneSpec(PrunePattern.LAYERS, 0.34, PruneMethod.MAGNITUDE),
                TinyModels.calibration(random, 8),
                1,
                Progress.NONE);
        assertEquals(2, pruned.layers().size(), "seed=" + seed);
        assertEquals(2, pruned.config().layers());
        int previous = -1;
        for (BertLayer layer : pruned.layers()) {
            int index = dense.layers().indexOf(layer);
            assertSame(dense.layers().get(index), layer);
            assertEquals(true, index > previous, "layers stay in order (seed=" + seed + ")");
            previous = index;
        }
    }

    /** Which rows of {@code before} survive in {@code after}, matched by content. */
    private static List<Integer> keptRows(Linear before, Linear after) {
        FloatMatrix b = before.weights().toDense();
        FloatMatrix a = after.weights().toDense();
        List<Integer> kept = new ArrayList<>();
        for (int r = 0; r < a.rows(); r++) {
            for (int s = 0; s < b.rows(); s++) {
                if (Arrays.equals(
                        Arrays.copyOfRange(a.data(), r * a.cols(), (r + 1) * a.cols()),
                        Arrays.copyOfRange(b.data(), s * b.cols(), (s + 1) * b.cols()))) {
                    kept.add(s);
                }
            }
        }
        assertEquals(a.rows(), kept.size(), "every kept row comes from the original");
        return kept;
    }

    private static Linear zeroRowsExcept(Linear l, List<Integer> kept) {
        FloatMatrix m = l.weights().toDense();
        float[] w = m.data().clone();
        float[] bias = l.bias().clone();
        for (int r = 0; r < m.rows(); r++) {
            if (!kept.contains(r)) {
                Arrays.fill(w, r * m.cols(), (r + 1) * m.cols(), 0f);
                bias[r] = 0;
            }
        }
        return new Linear(l.name(), new DenseWeights(new FloatMatrix(m.rows(), m.cols(), w)), bias);
    }

    private static void assertSameEmbeddings(
            BertWeights expected, BertWeights actual, CalibrationSet texts, long seed) {
        float[][] e = TinyModels.embed(expected, texts.batch());
        float[][] a = TinyModels.embed(actual, texts.batch());
        for (int s = 0; s < e.length; s++) {
            assertArrayEquals(e[s], a[s], 1e-5f, "text " + s + " (seed=" + seed + ")");
        }
    }

    @Test
    void aModelWithARelativePositionBiasKeepsItsHeadsAndThroughFfnPruningAndAPackedFileItsBias(@TempDir Path dir) {
        long seed = Seeds.fresh();
        BertWeights mpnet = TinyMpNet.write(dir.resolve("hf"), "", 32, seed).encoder();
        SparseInferException e = assertThrows(
                SparseInferException.class,
                () -> StructuredPruner.prune(
                        mpnet, new PruneSpec(PrunePattern.HEADS, 0.5, PruneMethod.MAGNITUDE), null, 1, Progress.NONE));
        assertEquals(
                "heads pruning is not supported for mpnet (its relative position bias spans every head)",
                e.getMessage());

        BertWeights pruned = StructuredPruner.prune(
                mpnet, new PruneSpec(PrunePattern.FFN, 0.4, PruneMethod.MAGNITUDE), null, 1, Progress.NONE);
        Path file = dir.resolve("pruned.safetensors");
        PackedModel.write(new LoadedModel(pruned, "{}", "pruned"), "{}", file);
        BertWeights packed = PackedModel.load(file).weights();
        assertArrayEquals(
                pruned.embeddings().relativePositionBias().table(),
                packed.embeddings().relativePositionBias().table(),
                "seed " + seed);
        TokenBatch batch = TokenBatch.pack(new int[][] {{2, 4, 5, 6, 7, 4, 8, 14, 3}}, new int[][] {new int[9]});
        try (CpuBackend cpu = new CpuBackend(1)) {
            float[] expected = new BertEncoder(pruned, cpu).forward(batch, Pooling.MEAN, true)[0];
            float[] actual = new BertEncoder(packed, cpu).forward(batch, Pooling.MEAN, true)[0];
            assertArrayEquals(expected, actual, "seed " + seed);
        }
    }
}
