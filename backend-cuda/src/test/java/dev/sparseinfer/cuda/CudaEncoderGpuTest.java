package dev.sparseinfer.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.api.Similarity;
import dev.sparseinfer.engine.backend.TokenBatch;
import dev.sparseinfer.engine.backend.cpu.CpuBackend;
import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.engine.format.Int8Weights;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.format.TwoFourWeights;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.model.bert.BertEncoder;
import dev.sparseinfer.engine.model.bert.BertLayer;
import dev.sparseinfer.engine.model.bert.BertWeights;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.RandomWeights;
import dev.sparseinfer.engine.testing.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A whole random BERT on the device against the CPU backend, batched and one text at a time; one-text passes go
 * eager, recorded and replayed, and must agree with each other and with a backend that records no graphs. Its
 * linear layers are 2:4 and w8a8, so it runs on our kernels alone (MiniLM's dense layers are the end-to-end test's).
 */
@Tag("gpu")
class CudaEncoderGpuTest {

    /** MiniLM's shape with two layers: 12 heads of 32, FFN 1536. */
    private static final BertConfig CONFIG = new BertConfig(1000, 384, 2, 12, 1536, 512, 2, 1e-12, BertConfig.GELU);

    private final long seed = Seeds.fresh();
    private final Random random = new Random(seed);
    private final BertWeights weights = ourKernelFormats(RandomBert.weights(CONFIG, random));

    /** Attention projections 2:4, FFN layers w8a8 (on the CPU too, with the same weights). */
    private BertWeights ourKernelFormats(BertWeights dense) {
        List<BertLayer> layers = new ArrayList<>();
        for (BertLayer l : dense.layers()) {
            layers.add(new BertLayer(
                    twoFour(l.query()),
                    twoFour(l.key()),
                    twoFour(l.value()),
                    twoFour(l.attentionOutput()),
                    l.attentionNorm(),
                    w8a8(l.intermediate()),
                    w8a8(l.output()),
                    l.outputNorm()));
        }
        return new BertWeights(dense.config(), dense.embeddings(), layers);
    }

    private Linear twoFour(Linear l) {
        return new Linear(
                l.name(),
                TwoFourWeights.fromDense(RandomWeights.twoFour(random, l.outFeatures(), l.inFeatures())),
                l.bias());
    }

    private static Linear w8a8(Linear l) {
        return new Linear(l.name(), Int8Weights.quantize(l.weights().toDense(), Int8Scheme.W8A8), l.bias());
    }

    private int[][] texts(int... lengths) {
        int[][] ids = new int[lengths.length][];
        for (int s = 0; s < lengths.length; s++) {
            ids[s] = random.ints(lengths[s], 0, CONFIG.vocabSize()).toArray();
        }
        return ids;
    }

    private static int[][] zeros(int[][] like) {
        int[][] types = new int[like.length][];
        for (int s = 0; s < like.length; s++) {
            types[s] = new int[like[s].length];
        }
        return types;
    }

    @Test
    void aBatchAgreesWithTheCpuBackend() {
        int[][] ids = texts(1, 7, 17, 129, 3);
        TokenBatch batch = TokenBatch.pack(ids, zeros(ids));
        try (CpuBackend cpu = new CpuBackend(4);
                CudaBackend cuda = GpuTesting.backendForKernels()) {
            float[][] expected = new BertEncoder(weights, cpu).forward(batch, Pooling.MEAN, true);
            float[][] actual = new BertEncoder(weights, cuda).forward(batch, Pooling.MEAN, true);
            for (int s = 0; s < ids.length; s++) {
                double cosine = Similarity.cosine(expected[s], actual[s]);
                assertTrue(cosine >= 0.999, "sequence " + s + ": cosine " + cosine + " (seed=" + seed + ")");
            }
        }
    }

    @Test
    void recordedGraphsReplayWhatTheEagerPassComputed() {
        try (CudaBackend graphs = GpuTesting.backendForKernels(true);
                CudaBackend eager = GpuTesting.backendForKernels(false)) {
            BertEncoder recorded = new BertEncoder(weights, graphs);
            BertEncoder plain = new BertEncoder(weights, eager);
            // Enough repeats that each count is recorded and replayed once the arena has settled.
            for (int length : new int[] {7, 17, 7, 17, 7, 17, 7, 17, 7, 17, 7, 17}) {
                int[][] ids = texts(length);
                TokenBatch batch = TokenBatch.pack(ids, zeros(ids));
                float[] expected = plain.forward(batch, Pooling.MEAN, true)[0];
                float[] actual = recorded.forward(batch, Pooling.MEAN, true)[0];
                assertArrayEquals(expected, actual, 1e-6f, length + " tokens (seed=" + seed + ")");
            }
        }
    }

    @Test
    void closingReturnsEveryDeviceByte() {
        CudaBackend cuda = GpuTesting.backendForKernels();
        long start = cuda.deviceBytes();
        BertEncoder encoder = new BertEncoder(weights, cuda);
        int[][] ids = texts(40, 9);
        encoder.forward(TokenBatch.pack(ids, zeros(ids)), Pooling.MEAN, true);
        assertTrue(cuda.deviceBytes() > start);
        cuda.close();
        assertEquals(start, cuda.deviceBytes());
    }
}
