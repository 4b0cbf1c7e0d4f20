package dev.sparseinfer.engine.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.backend.TokenBatch;
import dev.sparseinfer.engine.backend.cpu.CpuBackend;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.model.bert.BertEncoder;
import dev.sparseinfer.engine.model.bert.BertWeights;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.Seeds;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A whole random BERT on the device against the CPU backend, batched and one text at a time; one-text passes go
 * eager, recorded and replayed, and must agree with each other and with a backend that records no graphs.
 */
@Tag("gpu")
class CudaEncoderGpuTest {

    /** MiniLM's shape with two layers: 12 heads of 32, FFN 1536. */
    private static final BertConfig CONFIG = new BertConfig(1000, 384, 2, 12, 1536, 512, 2, 1e-12, BertConfig.GELU);

    private final long seed = Seeds.fresh();
    private final Random random = new Random(seed);
    private final BertWeights weights = RandomBert.weights(CONFIG, random);

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
        try (CpuBackend cpu = new CpuBackend(4); CudaBackend cuda = GpuTesting.backend()) {
            float[][] expected = new BertEncoder(weights, cpu).forward(batch);
            float[][] actual = new BertEncoder(weights, cuda).forward(batch);
            for (int s = 0; s < ids.length; s++) {
                double cosine = GpuTesting.cosine(expected[s], actual[s]);
                assertTrue(cosine >= 0.999, "sequence " + s + ": cosine " + cosine + " (seed=" + seed + ")");
            }
        }
    }

    @Test
    void recordedGraphsReplayWhatTheEagerPassComputed() {
        try (CudaBackend graphs = GpuTesting.backend(true); CudaBackend eager = GpuTesting.backend(false)) {
            BertEncoder recorded = new BertEncoder(weights, graphs);
            BertEncoder plain = new BertEncoder(weights, eager);
            // Enough repeats that each count is recorded and replayed once the arena has settled.
            for (int length : new int[] {7, 17, 7, 17, 7, 17, 7, 17, 7, 17, 7, 17}) {
                int[][] ids = texts(length);
                TokenBatch batch = TokenBatch.pack(ids, zeros(ids));
                float[] expected = plain.forward(batch)[0];
                float[] actual = recorded.forward(batch)[0];
                assertArrayEquals(expected, actual, 1e-6f, length + " tokens (seed=" + seed + ")");
            }
        }
    }

    @Test
    void closingReturnsEveryDeviceByte() {
        CudaBackend cuda = GpuTesting.backend();
        long start = cuda.deviceBytes();
        BertEncoder encoder = new BertEncoder(weights, cuda);
        int[][] ids = texts(40, 9);
        encoder.forward(TokenBatch.pack(ids, zeros(ids)));
        assertTrue(cuda.deviceBytes() > start);
        cuda.close();
        assertEquals(start, cuda.deviceBytes());
    }
}
