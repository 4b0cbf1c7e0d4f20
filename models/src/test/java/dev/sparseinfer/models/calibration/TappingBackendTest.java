package dev.sparseinfer.models.calibration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.backend.TokenBatch;
import dev.sparseinfer.engine.backend.cpu.CpuBackend;
import dev.sparseinfer.engine.format.CsrWeights;
import dev.sparseinfer.engine.format.DenseWeights;
import dev.sparseinfer.engine.format.FloatMatrix;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.model.bert.BertEncoder;
import dev.sparseinfer.engine.model.bert.BertLayer;
import dev.sparseinfer.engine.model.bert.BertWeights;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.ReferenceBert;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.models.calibration.TappingBackend.Site;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TappingBackendTest {

    /**
     * An FFN width of 32, a multiple of every vector length, so that on the CPU two CSR layers in a row would run
     * as one fused block that never writes the GELU output where the tap could read it.
     */
    private static final BertConfig CONFIG = new BertConfig(37, 20, 2, 4, 32, 17, 2, 1e-12, BertConfig.GELU);

    private record Seen(int layer, Site site, float[] x, int rows, int cols) {}

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void showsEveryLinearInputOnceInOrderWithTheReferencesValues(boolean sparse) {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        BertWeights dense = halfZeroed(RandomBert.weights(CONFIG, random), random);
        BertWeights model = sparse
                ? withLinears(
                        dense,
                        l -> new Linear(
                                l.name(), CsrWeights.fromDense(l.weights().toDense()), l.bias()))
                : dense;
        int[][] ids = new int[3][];
        int[][] types = new int[3][];
        for (int s = 0; s < ids.length; s++) {
            ids[s] = random.ints(1 + random.nextInt(CONFIG.maxPositions()), 0, CONFIG.vocabSize())
                    .toArray();
            types[s] = random.ints(ids[s].length, 0, CONFIG.typeVocabSize()).toArray();
        }
        TokenBatch batch = TokenBatch.pack(ids, types);
        String context = (sparse ? "CSR" : "dense") + " (seed=" + seed + ")";

        List<Seen> seen = new ArrayList<>();
        float[][] tapped;
        float[][] plain;
        try (CpuBackend cpu = new CpuBackend(2)) {
            TappingBackend tapping = new TappingBackend(
                    cpu, model, (layer, site, x, rows, cols) -> seen.add(new Seen(layer, site, x, rows, cols)));
            tapped = new BertEncoder(model, tapping).forward(batch, Pooling.MEAN, true);
            plain = new BertEncoder(model, cpu).forward(batch, Pooling.MEAN, true);
        }
        for (int s = 0; s < ids.length; s++) {
            assertArrayEquals(plain[s], tapped[s], "tapping changes no result: sequence " + s + ", " + context);
        }

        Site[] order = Site.values();
        assertEquals(CONFIG.layers() * order.length, seen.size(), context);
        List<List<double[][]>> expected = new ArrayList<>();
        for (int s = 0; s < ids.length; s++) {
            expected.add(ReferenceBert.linearInputs(dense, ids[s], types[s]));
        }
        for (int i = 0; i < seen.size(); i++) {
            Seen input = seen.get(i);
            String at = "input " + i + " (layer " + input.layer() + ", " + input.site() + "), " + context;
            assertEquals(i / order.length, input.layer(), at);
            assertEquals(order[i % order.length], input.site(), at);
            assertEquals(batch.tokens(), input.rows(), at);
            int cols = input.site() == Site.FFN_HIDDEN ? CONFIG.intermediateSize() : CONFIG.hiddenSize();
            assertEquals(cols, input.cols(), at);
            assertEquals(input.rows() * cols, input.x().length, at);
            for (int s = 0; s < ids.length; s++) {
                double[][] reference = expected.get(s).get(i);
                for (int t = 0; t < reference.length; t++) {
                    for (int c = 0; c < cols; c++) {
                        float actual = input.x()[(batch.starts()[s] + t) * cols + c];
                        assertEquals(
                                reference[t][c],
                                actual,
                                1e-4,
                                "sequence " + s + " token " + t + " feature " + c + ", " + at);
                    }
                }
            }
        }
    }

    /** Zeroes a random half of every linear layer's weights (still dense), so a CSR copy stores half of them. */
    private static BertWeights halfZeroed(BertWeights model, Random random) {
        return withLinears(model, l -> {
            float[] w = l.weights().toDense().data().clone();
            for (int i = 0; i < w.length; i++) {
                if (random.nextBoolean()) {
                    w[i] = 0;
                }
            }
            return new Linear(
                    l.name(), new DenseWeights(new FloatMatrix(l.outFeatures(), l.inFeatures(), w)), l.bias());
        });
    }

    private static BertWeights withLinears(BertWeights model, UnaryOperator<Linear> change) {
        List<BertLayer> layers = model.layers().stream()
                .map(l -> new BertLayer(
                        change.apply(l.query()),
                        change.apply(l.key()),
                        change.apply(l.value()),
                        change.apply(l.attentionOutput()),
                        l.attentionNorm(),
                        change.apply(l.intermediate()),
                        change.apply(l.output()),
                        l.outputNorm()))
                .toList();
        return new BertWeights(model.config(), model.embeddings(), layers);
    }
}
