package dev.sparseinfer.models.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.format.CsrWeights;
import dev.sparseinfer.engine.format.FloatMatrix;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.format.TwoFourWeights;
import dev.sparseinfer.engine.model.bert.BertLayer;
import dev.sparseinfer.engine.model.bert.BertWeights;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.models.calibration.CalibrationSet;
import dev.sparseinfer.models.calibration.Progress;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WeightPrunerTest {

    @ParameterizedTest
    @EnumSource(PruneMethod.class)
    void reachesEachLayersUnstructuredTargetExactly(PruneMethod method) {
        for (double sparsity : new double[] {0.3, 0.75, 0.9}) {
            long seed = Seeds.fresh();
            Random random = new Random(seed);
            BertWeights dense = RandomBert.weights(TinyModels.CONFIG, random);
            CalibrationSet calibration = TinyModels.calibration(random, 24);
            BertWeights pruned = new WeightPruner(
                            new PruneSpec(PrunePattern.UNSTRUCTURED, sparsity, method), calibration, 2)
                    .prune(dense, Progress.NONE);
            String context = method + " at " + sparsity + " (seed=" + seed + ")";
            for (BertLayer layer : pruned.layers()) {
                for (Linear l : layer.linears()) {
                    CsrWeights csr = assertInstanceOf(CsrWeights.class, l.weights(), context);
                    int out = l.outFeatures();
                    int in = l.inFeatures();
                    if (method == PruneMethod.SPARSEGPT) {
                        // SparseGPT spreads the layer's target over its column blocks, not over rows.
                        assertEquals(
                                out * (long) in - Math.round(sparsity * out * in),
                                csr.pattern().nonZeros(),
                                l.name() + " " + context);
                    } else {
                        long perRow = in - Math.round(sparsity * in);
                        for (int r = 0; r < out; r++) {
                            assertEquals(
                                    perRow,
                                    csr.pattern().rowPtr()[r + 1]
                                            - csr.pattern().rowPtr()[r],
                                    l.name() + " row " + r + " " + context);
                        }
                    }
                }
            }
            assertFinite(TinyModels.embed(pruned, calibration.batch()), context);
        }
    }

    @ParameterizedTest
    @EnumSource(PruneMethod.class)
    void keepsExactlyTwoOfEveryFour(PruneMethod method) {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        BertWeights dense = RandomBert.weights(TinyModels.CONFIG, random);
        CalibrationSet calibration = TinyModels.calibration(random, 24);
        BertWeights pruned = new WeightPruner(new PruneSpec(PrunePattern.TWO_FOUR, 0.5, method), calibration, 1)
                .prune(dense, Progress.NONE);
        for (BertLayer layer : pruned.layers()) {
            for (Linear l : layer.linears()) {
                FloatMatrix m =
                        assertInstanceOf(TwoFourWeights.class, l.weights()).toDense();
                for (int g = 0; g < m.data().length / 4; g++) {
                    int kept = 0;
                    for (int j = 0; j < 4; j++) {
                        kept += m.data()[4 * g + j] != 0 ? 1 : 0;
                    }
                    assertEquals(2, kept, l.name() + " group " + g + " " + method + " (seed=" + seed + ")");
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = PruneMethod.class,
            names = {"MAGNITUDE", "WANDA"})
    void masksWithoutMovingTheWeightsItKeeps(PruneMethod method) {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        BertWeights dense = RandomBert.weights(TinyModels.CONFIG, random);
        BertWeights pruned = new WeightPruner(
                        new PruneSpec(PrunePattern.UNSTRUCTURED, 0.5, method), TinyModels.calibration(random, 16), 1)
                .prune(dense, Progress.NONE);
        for (int i = 0; i < dense.layers().size(); i++) {
            for (int k = 0; k < 6; k++) {
                FloatMatrix before =
                        dense.layers().get(i).linears().get(k).weights().toDense();
                FloatMatrix after =
                        pruned.layers().get(i).linears().get(k).weights().toDense();
                for (int r = 0; r < before.rows(); r++) {
                    float smallestKept = Float.POSITIVE_INFINITY;
                    float largestPruned = 0;
                    for (int c = 0; c < before.cols(); c++) {
                        float a = after.get(r, c);
                        assertTrue(a == 0 || a == before.get(r, c), "seed=" + seed);
                        if (a == 0) {
                            largestPruned = Math.max(largestPruned, Math.abs(before.get(r, c)));
                        } else {
                            smallestKept = Math.min(smallestKept, Math.abs(before.get(r, c)));
                        }
                    }
                    if (method == PruneMethod.MAGNITUDE) {
                        assertTrue(
                                largestPruned <= smallestKept,
                                "row " + r + ": pruned " + largestPruned + " but kept " + smallestKept + " (seed="
                                        + seed + ")");
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = PruneMethod.class,
            names = {"WANDA", "SPARSEGPT"})
    void refusesToRunWithoutCalibration(PruneMethod method) {
        SparseInferException e = assertThrows(
                SparseInferException.class,
                () -> new WeightPruner(new PruneSpec(PrunePattern.TWO_FOUR, 0.5, method), null, 1));
        assertTrue(e.getMessage().contains("calibration"), e.getMessage());
    }

    private static void assertFinite(float[][] vectors, String context) {
        for (float[] v : vectors) {
            for (float x : v) {
                assertTrue(Float.isFinite(x), context);
            }
        }
    }
}
