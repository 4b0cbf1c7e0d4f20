package dev.sparseinfer.engine.model.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.api.Precision;
import dev.sparseinfer.engine.api.Similarity;
import dev.sparseinfer.engine.backend.TokenBatch;
import dev.sparseinfer.engine.backend.cpu.CpuBackend;
import dev.sparseinfer.engine.backend.cpu.CpuKernelProvider;
import dev.sparseinfer.engine.backend.cpu.CpuKernelSelection;
import dev.sparseinfer.engine.backend.cpu.NativeInt8Isa;
import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.engine.format.Int8Weights;
import dev.sparseinfer.engine.format.Linear;
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
        for (var kernels :
                new CpuKernelSelection[] {CpuKernelSelection.scalar(Optional.empty()), CpuKernelProvider.selection()}) {
            for (int threads : new int[] {1, 3}) {
                try (CpuBackend backend = new CpuBackend(kernels, threads)) {
                    float[][] actual =
                            new BertEncoder(weights, backend).forward(TokenBatch.pack(ids, types), Pooling.MEAN, true);
                    for (int s = 0; s < ids.length; s++) {
                        double[] expected = ReferenceBert.embed(weights, ids[s], types[s]);
                        double maxDiff = 0;
                        for (int c = 0; c < expected.length; c++) {
                            maxDiff = Math.max(maxDiff, Math.abs(expected[c] - actual[s][c]));
                        }
                        assertTrue(
                                maxDiff < 2e-5,
                                backend.description() + ", sequence " + s + ": max difference " + maxDiff + " (seed="
                                        + seed + ")");
                    }
                }
            }
        }
    }

    /**
     * A w8a8 model embeds the same on the native int8 kernels (each instruction set this CPU runs) as on the Vector
     * API's, at any thread count: both sum the same int8 products exactly.
     */
    @Test
    void w8a8EmbedsTheSameOnNativeAndVectorKernels() {
        CpuKernelSelection selection = CpuKernelProvider.selection();
        assumeTrue(selection.nativeInt8().isPresent(), "no native int8 kernels here: " + selection.notice());
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        BertWeights dense =
                RandomBert.weights(new BertConfig(53, 96, 2, 3, 200, 19, 2, 1e-12, BertConfig.GELU), random);
        List<BertLayer> layers = new ArrayList<>();
        for (BertLayer l : dense.layers()) {
            layers.add(new BertLayer(
                    w8a8(l.query()),
                    w8a8(l.key()),
                    w8a8(l.value()),
                    w8a8(l.attentionOutput()),
                    l.attentionNorm(),
                    w8a8(l.intermediate()),
                    w8a8(l.output()),
                    l.outputNorm()));
        }
        BertWeights weights = new BertWeights(dense.config(), dense.embeddings(), layers);
        int[][] ids = randomIds(random, 6);
        TokenBatch batch = TokenBatch.pack(ids, randomTypes(random, ids));
        float[][] expected;
        try (CpuBackend backend = new CpuBackend(selection.withNativeInt8(Optional.empty()), 1)) {
            expected = new BertEncoder(weights, backend).forward(batch, Pooling.MEAN, true);
        }
        List<NativeInt8Isa> isas =
                new ArrayList<>(List.of(selection.nativeInt8().get()));
        if (selection.nativeInt8().get() != NativeInt8Isa.AVX2) {
            isas.add(NativeInt8Isa.AVX2);
        }
        for (NativeInt8Isa isa : isas) {
            for (int threads : new int[] {1, 2}) {
                try (CpuBackend backend = new CpuBackend(selection.withNativeInt8(Optional.of(isa)), threads)) {
                    float[][] actual = new BertEncoder(weights, backend).forward(batch, Pooling.MEAN, true);
                    for (int s = 0; s < ids.length; s++) {
                        for (int c = 0; c < expected[s].length; c++) {
                            assertEquals(
                                    expected[s][c],
                                    actual[s][c],
                                    1e-6,
                                    backend.description() + ", sequence " + s + " (seed=" + seed + ")");
                        }
                    }
                }
            }
        }
    }

    /**
     * A model whose dense layers run at bf16 embeds within 1e-4 of 1 - cosine of fp32 (bf16 keeps 8 significant bits,
     * a relative step of 2^-8 per operand, and its rounding errors average out over each sum); and it does differ,
     * so the bf16 kernel ran.
     */
    @Test
    void bf16EmbedsCloseToFp32() {
        CpuKernelSelection selection = CpuKernelProvider.selection();
        assumeTrue(selection.bf16Unavailable().isEmpty(), "no native bf16 kernel here: " + selection.bf16Unavailable());
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        BertWeights weights =
                RandomBert.weights(new BertConfig(53, 96, 2, 3, 200, 19, 2, 1e-12, BertConfig.GELU), random);
        int[][] ids = randomIds(random, 6);
        TokenBatch batch = TokenBatch.pack(ids, randomTypes(random, ids));
        float[][] fp32;
        try (CpuBackend backend = new CpuBackend(selection, 1)) {
            fp32 = new BertEncoder(weights, backend).forward(batch, Pooling.MEAN, true);
        }
        for (int threads : new int[] {1, 2}) {
            try (CpuBackend backend = new CpuBackend(selection, threads, Precision.BF16)) {
                assertTrue(backend.description().contains("avx512-bf16 linear"), backend.description());
                float[][] bf16 = new BertEncoder(weights, backend).forward(batch, Pooling.MEAN, true);
                for (int s = 0; s < ids.length; s++) {
                    double cosine = Similarity.cosine(fp32[s], bf16[s]);
                    String where = "sequence " + s + " on " + threads + " threads (seed=" + seed + ")";
                    assertTrue(1 - cosine < 1e-4, "cosine " + cosine + ", " + where);
                    assertTrue(Seeds.relativeError(bf16[s], fp32[s]) > 0, "bf16 gave fp32's bits, " + where);
                }
            }
        }
    }

    private static Linear w8a8(Linear l) {
        return new Linear(l.name(), Int8Weights.quantize(l.weights().toDense(), Int8Scheme.W8A8), l.bias());
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
            float[][] batched = encoder.forward(TokenBatch.pack(ids, types), Pooling.MEAN, true);
            for (int s = 0; s < ids.length; s++) {
                float[] alone = encoder.forward(
                                TokenBatch.pack(new int[][] {ids[s]}, new int[][] {types[s]}), Pooling.MEAN, true)[0];
                assertTrue(Similarity.cosine(alone, batched[s]) >= 0.99999, "sequence " + s + " seed=" + seed);
            }
        }
    }

    @Test
    void hiddenStatesAreTheReferencesLayerInputsAndRunningOnFromThemGivesTheSameBits() {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        BertWeights weights = RandomBert.weights(CONFIG, random);
        int[][] ids = randomIds(random, 4);
        int[][] types = randomTypes(random, ids);
        TokenBatch batch = TokenBatch.pack(ids, types);
        try (CpuBackend backend = new CpuBackend(2)) {
            BertEncoder encoder = new BertEncoder(weights, backend);
            float[] input = encoder.hiddenStates(batch, 0);
            for (int l = 0; l < CONFIG.layers(); l++) {
                assertCloseToReference(
                        weights, ids, types, batch, l, input, "layer " + l + "'s input (seed=" + seed + ")");
                float[] output = encoder.runLayers(l, l + 1, input, batch);
                assertArrayEquals(
                        encoder.hiddenStates(batch, l + 1), output, "layer " + l + " alone (seed=" + seed + ")");
                input = output;
            }
            assertArrayEquals(
                    encoder.hiddenStates(batch, CONFIG.layers()),
                    encoder.runLayers(1, CONFIG.layers(), encoder.hiddenStates(batch, 1), batch),
                    "seed=" + seed);
        }
    }

    @Test
    void refusesLayersItDoesNotHave() {
        BertWeights weights = RandomBert.weights(CONFIG, new Random(Seeds.fresh()));
        TokenBatch batch = TokenBatch.pack(new int[][] {{1, 2}}, new int[][] {{0, 0}});
        float[] input = new float[2 * CONFIG.hiddenSize()];
        try (CpuBackend backend = new CpuBackend(1)) {
            BertEncoder encoder = new BertEncoder(weights, backend);
            assertThrows(IllegalArgumentException.class, () -> encoder.hiddenStates(batch, CONFIG.layers() + 1));
            assertThrows(IllegalArgumentException.class, () -> encoder.runLayers(2, 1, input, batch));
            assertThrows(IllegalArgumentException.class, () -> encoder.runLayers(-1, 1, input, batch));
        }
    }

    /** {@code actual}: the batch's hidden states entering layer {@code layer}, all sequences packed. */
    private static void assertCloseToReference(
            BertWeights weights,
            int[][] ids,
            int[][] types,
            TokenBatch batch,
            int layer,
            float[] actual,
            String context) {
        int hidden = CONFIG.hiddenSize();
        for (int s = 0; s < ids.length; s++) {
            double[][] expected =
                    ReferenceBert.linearInputs(weights, ids[s], types[s]).get(4 * layer);
            for (int t = 0; t < expected.length; t++) {
                for (int c = 0; c < hidden; c++) {
                    float value = actual[(batch.starts()[s] + t) * hidden + c];
                    assertEquals(expected[t][c], value, 1e-4, "sequence " + s + " token " + t + ", " + context);
                }
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
            for (float[] v : new BertEncoder(weights, backend)
                    .forward(TokenBatch.pack(ids, randomTypes(random, ids)), Pooling.MEAN, true)) {
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
            ids[s] = random.ints(1 + random.nextInt(CONFIG.maxPositions()), 0, CONFIG.vocabSize())
                    .toArray();
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
