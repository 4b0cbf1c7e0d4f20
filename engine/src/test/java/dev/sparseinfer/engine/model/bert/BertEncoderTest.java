package dev.sparseinfer.engine.model.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.Similarity;
import dev.sparseinfer.engine.backend.TokenBatch;
import dev.sparseinfer.engine.backend.cpu.CpuBackend;
import dev.sparseinfer.engine.backend.cpu.CpuKernelProvider;
import dev.sparseinfer.engine.backend.cpu.CpuKernelSelection;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.ReferenceBert;
import dev.sparseinfer.engine.testing.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BertEncoderTest {

    // Odd sizes on purpose: widths that are not multiples of any vector length, 3 heads of 7.
    private static final BertConfig CONFIG = new BertConfig(53, 21, 3, 3, 37, 19, 2, 1e-12, BertConfig.GELU);

    @Test
    void matchesFloat64ReferenceOnEveryKernelSetAndThreadCount() {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        BertWeights weights = RandomBert.weights(CONFIG, random);
        int[][] ids = randomIds(random, 5);
        int[][] types = randomTypes(random, ids);
        for (var kernels : new CpuKernelSelection[] {CpuKernelSelection.scalar(Optional.empty()), CpuKernelProvider.selection()}) {
            for (int threads : new int[] {1, 3}) {
                try (CpuBackend backend = new CpuBackend(kernels, threads)) {
                    float[][] actual = new BertEncoder(weights, backend).forward(TokenBatch.pack(ids, types));
                    for (int s = 0; s < ids.length; s++) {
                        double[] expected = ReferenceBert.embed(weights, ids[s], types[s]);
                        double maxDiff = 0;
                        for (int c = 0; c < expected.length; c++) {
                            maxDiff = Math.max(maxDiff, Math.abs(expected[c] - actual[s][c]));
                        }
                        assertTrue(maxDiff < 2e-5, backend.description() + ", sequence " + s
                                + ": max difference " + maxDiff + " (seed=" + seed + ")");
                    }
                }
            }
        }
    }

    @Test
    void readsEachLayerOnceInOrderWhilePreparingThem() {
        BertWeights weights = RandomBert.weights(CONFIG, new Random(Seeds.fresh()));
        List<Integer> asked = new ArrayList<>();
        BertLayerSource counting = new BertLayerSource() {
            @Override
            public BertConfig config() {
                return weights.config();
            }

            @Override
            public BertEmbeddings embeddings() {
                return weights.embeddings();
            }

            @Override
            public int layerCount() {
                return weights.layerCount();
            }

            @Override
            public BertLayer layer(int index) {
                asked.add(index);
                return weights.layer(index);
            }
        };
        try (CpuBackend backend = new CpuBackend(1)) {
            new BertEncoder(counting, backend);
        }
        assertEquals(List.of(0, 1, 2), asked, "a reader stages one layer at a time and none twice");
    }

    @Test
    void aBatchGivesTheSameVectorsAsOneSequenceAtATime() {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        BertWeights weights = RandomBert.weights(CONFIG, random);
        int[][] ids = randomIds(random, 7);
        int[][] types = randomTypes(random, ids);
        try (CpuBackend backend = new CpuBackend(2)) {
            BertEncoder encoder = new BertEncoder(weights, backend);
            float[][] batched = encoder.forward(TokenBatch.pack(ids, types));
            for (int s = 0; s < ids.length; s++) {
                float[] alone = encoder.forward(TokenBatch.pack(new int[][] {ids[s]}, new int[][] {types[s]}))[0];
                assertTrue(Similarity.cosine(alone, batched[s]) >= 0.99999, "sequence " + s + " seed=" + seed);
            }
        }
    }

    @Test
    void outputsAreUnitVectors() {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        BertWeights weights = RandomBert.weights(CONFIG, random);
        int[][] ids = randomIds(random, 3);
        try (CpuBackend backend = new CpuBackend(1)) {
            for (float[] v : new BertEncoder(weights, backend).forward(TokenBatch.pack(ids, randomTypes(random, ids)))) {
                double norm = 0;
                for (float x : v) {
                    norm += x * x;
                }
                assertEquals(1.0, Math.sqrt(norm), 1e-5, "seed=" + seed);
            }
        }
    }

    private static int[][] randomIds(Random random, int sequences) {
        int[][] ids = new int[sequences][];
        for (int s = 0; s < sequences; s++) {
            ids[s] = random.ints(1 + random.nextInt(CONFIG.maxPositions()), 0, CONFIG.vocabSize()).toArray();
        }
        return ids;
    }

    private static int[][] randomTypes(Random random, int[][] ids) {
        int[][] types = new int[ids.length][];
        for (int s = 0; s < ids.length; s++) {
            types[s] = random.ints(ids[s].length, 0, CONFIG.typeVocabSize()).toArray();
        }
        return types;
    }
}
