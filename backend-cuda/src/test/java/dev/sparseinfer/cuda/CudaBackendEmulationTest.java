package dev.sparseinfer.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.api.Similarity;
import dev.sparseinfer.engine.backend.ActivationFunction;
import dev.sparseinfer.engine.backend.Activations;
import dev.sparseinfer.engine.backend.PreparedLinear;
import dev.sparseinfer.engine.backend.TokenBatch;
import dev.sparseinfer.engine.backend.cpu.CpuBackend;
import dev.sparseinfer.engine.format.CsrInt8Weights;
import dev.sparseinfer.engine.format.CsrWeights;
import dev.sparseinfer.engine.format.DenseWeights;
import dev.sparseinfer.engine.format.FloatMatrix;
import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.engine.format.Int8Weights;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.format.LinearWeights;
import dev.sparseinfer.engine.format.TwoFourInt8Weights;
import dev.sparseinfer.engine.format.TwoFourWeights;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.model.bert.BertEncoder;
import dev.sparseinfer.engine.model.bert.BertLayer;
import dev.sparseinfer.engine.model.bert.BertWeights;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.RandomWeights;
import dev.sparseinfer.engine.testing.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link CudaBackend} on an {@link EmulatedDevice}: the whole orchestration (uploads, the arena, batch arrays,
 * kernel arguments and grids, library calls, graph recording and replay, freeing) runs without a GPU, with every
 * weight format in one model, and must agree with the CPU backend. What this cannot show is that the GPU computes
 * what the emulated kernels compute; the GPU tests do.
 */
class CudaBackendEmulationTest {

    /** Widths off every tile: 4 heads of 16, FFN 100, at most 40 positions; one layer per FFN-output format. */
    private static final BertConfig CONFIG = new BertConfig(60, 64, 4, 4, 100, 40, 2, 1e-12, BertConfig.GELU);

    private final long seed = Seeds.fresh();
    private final Random random = new Random(seed);
    private final BertWeights weights = mixedFormats(RandomBert.weights(CONFIG, random));

    private enum Format {
        DENSE,
        CSR,
        TWO_FOUR,
        W8A8,
        W8,
        CSR_W8,
        CSR_W8A8,
        TWO_FOUR_W8,
        TWO_FOUR_W8A8
    }

    /**
     * The format of each linear layer (query, key, value, attention output, intermediate, output), so one forward
     * pass runs every device path, each kind at least once with 100 inputs (the FFN output), off every tile.
     */
    private static final Format[][] LAYOUT = {
        {Format.DENSE, Format.CSR, Format.TWO_FOUR, Format.W8A8, Format.TWO_FOUR_W8A8, Format.W8},
        {Format.CSR_W8, Format.TWO_FOUR_W8, Format.CSR_W8A8, Format.DENSE, Format.CSR, Format.W8A8},
        {Format.TWO_FOUR, Format.W8, Format.DENSE, Format.CSR_W8A8, Format.W8A8, Format.TWO_FOUR_W8A8},
        {Format.W8A8, Format.DENSE, Format.TWO_FOUR_W8, Format.CSR, Format.TWO_FOUR, Format.CSR_W8}
    };

    private LinearWeights weights(Format format, int out, int in) {
        return switch (format) {
            case DENSE -> new DenseWeights(RandomWeights.dense(random, out, in));
            case CSR -> CsrWeights.fromDense(RandomWeights.unstructured(random, out, in, 0.6));
            case TWO_FOUR -> TwoFourWeights.fromDense(RandomWeights.twoFour(random, out, in));
            case W8A8 -> Int8Weights.quantize(RandomWeights.dense(random, out, in), Int8Scheme.W8A8);
            case W8 -> Int8Weights.quantize(RandomWeights.dense(random, out, in), Int8Scheme.W8);
            case CSR_W8, CSR_W8A8 ->
                CsrInt8Weights.quantize(
                        CsrWeights.fromDense(RandomWeights.unstructured(random, out, in, 0.5)),
                        format == Format.CSR_W8 ? Int8Scheme.W8 : Int8Scheme.W8A8);
            case TWO_FOUR_W8, TWO_FOUR_W8A8 ->
                TwoFourInt8Weights.quantize(
                        TwoFourWeights.fromDense(RandomWeights.twoFour(random, out, in)),
                        format == Format.TWO_FOUR_W8 ? Int8Scheme.W8 : Int8Scheme.W8A8);
        };
    }

    private BertWeights mixedFormats(BertWeights dense) {
        List<BertLayer> layers = new ArrayList<>();
        for (int i = 0; i < dense.layers().size(); i++) {
            BertLayer l = dense.layers().get(i);
            List<Linear> converted = new ArrayList<>();
            for (int j = 0; j < 6; j++) {
                Linear linear = l.linears().get(j);
                converted.add(new Linear(
                        linear.name(),
                        weights(LAYOUT[i][j], linear.outFeatures(), linear.inFeatures()),
                        linear.bias()));
            }
            layers.add(new BertLayer(
                    converted.get(0),
                    converted.get(1),
                    converted.get(2),
                    converted.get(3),
                    l.attentionNorm(),
                    converted.get(4),
                    converted.get(5),
                    l.outputNorm()));
        }
        return new BertWeights(dense.config(), dense.embeddings(), layers);
    }

    private int[][] texts(int... lengths) {
        int[][] ids = new int[lengths.length][];
        for (int s = 0; s < lengths.length; s++) {
            ids[s] = random.ints(lengths[s], 0, CONFIG.vocabSize()).toArray();
        }
        return ids;
    }

    private static TokenBatch batch(int[][] ids) {
        int[][] types = new int[ids.length][];
        for (int s = 0; s < ids.length; s++) {
            types[s] = new int[ids[s].length];
            types[s][ids[s].length - 1] = 1;
        }
        return TokenBatch.pack(ids, types);
    }

    private static CudaBackend emulated(EmulatedDevice device, EmulatedLibraries libraries, boolean graphs) {
        return new CudaBackend(device, "emulated device", libraries, graphs);
    }

    @Test
    void aBatchOfEveryFormatAgreesWithTheCpuBackend() {
        TokenBatch batch = batch(texts(1, 7, 17, 33));
        EmulatedDevice device = new EmulatedDevice();
        try (CpuBackend cpu = new CpuBackend(2);
                CudaBackend cuda = emulated(device, new EmulatedLibraries(device), true)) {
            float[][] expected = new BertEncoder(weights, cpu).forward(batch, Pooling.MEAN, true);
            float[][] actual = new BertEncoder(weights, cuda).forward(batch, Pooling.MEAN, true);
            for (int s = 0; s < expected.length; s++) {
                double cosine = Similarity.cosine(expected[s], actual[s]);
                assertTrue(cosine >= 0.999, "sequence " + s + ": cosine " + cosine + " (seed=" + seed + ")");
            }
        }
    }

    /** Every pooling, normalised or not, on random activations of sequences of 1 to 33 tokens. */
    @Test
    void everyPoolingAgreesWithTheCpuBackend() {
        TokenBatch batch = batch(texts(1, 7, 33, 2));
        int cols = 64;
        float[] x = Seeds.gaussian(random, batch.tokens() * cols, 1);
        EmulatedDevice device = new EmulatedDevice();
        try (CpuBackend cpu = new CpuBackend(2);
                CudaBackend cuda = emulated(device, new EmulatedLibraries(device), false)) {
            for (Pooling pooling : Pooling.values()) {
                for (boolean normalize : new boolean[] {true, false}) {
                    float[][] expected = cpu.pool(cpu.upload(x, batch.tokens(), cols), batch, pooling, normalize);
                    float[][] actual = cuda.pool(cuda.upload(x, batch.tokens(), cols), batch, pooling, normalize);
                    for (int s = 0; s < expected.length; s++) {
                        assertArrayEquals(
                                expected[s],
                                actual[s],
                                1e-6f,
                                pooling + (normalize ? " normalised" : "") + ", sequence " + s + " (seed=" + seed
                                        + ")");
                    }
                }
            }
        }
    }

    /** Graphs end in the pooling they were recorded with: asking for another must not replay them. */
    @Test
    void anotherPoolingIsNotAnsweredByGraphsRecordedForTheFirst() {
        EmulatedDevice device = new EmulatedDevice();
        try (CpuBackend cpu = new CpuBackend(2);
                CudaBackend cuda = emulated(device, new EmulatedLibraries(device), true)) {
            BertEncoder onCpu = new BertEncoder(weights, cpu);
            BertEncoder onCuda = new BertEncoder(weights, cuda);
            Pooling[] poolings = {Pooling.MEAN, Pooling.CLS, Pooling.CLS, Pooling.LAST_TOKEN, Pooling.MEAN};
            boolean[] normalized = {true, true, false, false, true};
            for (int step = 0; step < poolings.length; step++) {
                // Three passes of one length: eager, recorded, replayed.
                for (int i = 0; i < 3; i++) {
                    TokenBatch batch = batch(texts(6));
                    float[] expected = onCpu.forward(batch, poolings[step], normalized[step])[0];
                    float[] actual = onCuda.forward(batch, poolings[step], normalized[step])[0];
                    String what = poolings[step] + (normalized[step] ? " normalised" : "") + ", pass " + i;
                    double cosine = Similarity.cosine(expected, actual);
                    assertTrue(cosine >= 0.999, what + ": cosine " + cosine + " (seed=" + seed + ")");
                    double lengths = norm(actual) / norm(expected);
                    assertEquals(1, lengths, 1e-2, what + ": length ratio (seed=" + seed + ")");
                }
            }
            assertTrue(device.replays() >= poolings.length, device.replays() + " replays");
        }
    }

    private static double norm(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += x * x;
        }
        return Math.sqrt(sum);
    }

    /**
     * w8a8 on the device is the CPU's arithmetic, not that of dequantised weights: per-token int8 activations,
     * exact integer sums, {@code sum * (weightScale * tokenScale) + bias}. Without an activation the outputs are
     * the CPU backend's bit for bit, on both sides of the 2:4 small-N switch and at MiniLM's widest input (1536).
     */
    @Test
    void w8a8LayersComputeTheCpuBackendsArithmeticBitForBit() {
        int[][] shapes = {{7, 100, 33}, {17, 388, 50}, {3, 1536, 24}};
        try (CpuBackend cpu = new CpuBackend(2)) {
            for (int[] shape : shapes) {
                int tokens = shape[0], in = shape[1], out = shape[2];
                TwoFourWeights twoFour = TwoFourWeights.fromDense(RandomWeights.twoFour(random, out, in));
                CsrWeights csr = CsrWeights.fromDense(RandomWeights.unstructured(random, out, in, 0.5));
                List<LinearWeights> formats = List.of(
                        TwoFourInt8Weights.quantize(twoFour, Int8Scheme.W8A8),
                        CsrInt8Weights.quantize(csr, Int8Scheme.W8A8),
                        Int8Weights.quantize(RandomWeights.dense(random, out, in), Int8Scheme.W8A8));
                float[] x = Seeds.gaussian(random, tokens * in, 1);
                float[] bias = Seeds.gaussian(random, out, 0.3);
                for (LinearWeights w : formats) {
                    assertSameOutputs(
                            cpu,
                            new Linear("layer", w, bias),
                            x,
                            tokens,
                            w.formatName() + " [" + tokens + "x" + in + "] -> " + out);
                }
            }
        }
    }

    /** Inputs on rounding ties, through an identity layer, so every output is one quantised input. */
    @Test
    void w8a8QuantisesRoundingTiesAsTheCpuDoes() {
        int width = 64;
        float[] identity = new float[width * width];
        for (int i = 0; i < width; i++) {
            identity[i * width + i] = 1f;
        }
        FloatMatrix dense = new FloatMatrix(width, width, identity);
        float[] x = QuantizationTies.rows(20, width, random);
        try (CpuBackend cpu = new CpuBackend(2)) {
            for (LinearWeights w : List.of(
                    TwoFourInt8Weights.quantize(TwoFourWeights.fromDense(dense), Int8Scheme.W8A8),
                    CsrInt8Weights.quantize(CsrWeights.fromDense(dense), Int8Scheme.W8A8),
                    Int8Weights.quantize(dense, Int8Scheme.W8A8))) {
                assertSameOutputs(cpu, new Linear("identity", w, new float[width]), x, 20, w.formatName() + " on ties");
            }
        }
    }

    private void assertSameOutputs(CpuBackend cpu, Linear layer, float[] x, int tokens, String what) {
        EmulatedDevice device = new EmulatedDevice();
        try (CudaBackend cuda = emulated(device, new EmulatedLibraries(device), false)) {
            int in = layer.inFeatures();
            int out = layer.outFeatures();
            Activations expected = cpu.allocate(tokens, out);
            cpu.linear(cpu.prepare(layer), cpu.upload(x, tokens, in), ActivationFunction.NONE, expected);
            Activations actual = cuda.allocate(tokens, out);
            cuda.linear(cuda.prepare(layer), cuda.upload(x, tokens, in), ActivationFunction.NONE, actual);
            assertArrayEquals(cpu.read(expected), cuda.read(actual), what + " (seed=" + seed + ")");
        }
    }

    @Test
    void replayedGraphsComputeNewTextsAsAnEagerPassWould() {
        EmulatedDevice recordingDevice = new EmulatedDevice();
        EmulatedDevice eagerDevice = new EmulatedDevice();
        try (CudaBackend recording = emulated(recordingDevice, new EmulatedLibraries(recordingDevice), true);
                CudaBackend eager = emulated(eagerDevice, new EmulatedLibraries(eagerDevice), false)) {
            BertEncoder withGraphs = new BertEncoder(weights, recording);
            BertEncoder without = new BertEncoder(weights, eager);
            // The 39-token text grows the operand scratch, which must drop the graphs recorded before it: replaying
            // one would read freed memory, which the emulation refuses.
            for (int length : new int[] {5, 9, 5, 9, 5, 9, 5, 9, 5, 9, 39, 5, 9}) {
                // Fresh ids each time: a replay must read this text's batch, not the recorded one's.
                TokenBatch batch = batch(texts(length));
                assertArrayEquals(
                        without.forward(batch, Pooling.MEAN, true)[0],
                        withGraphs.forward(batch, Pooling.MEAN, true)[0],
                        length + " tokens (seed=" + seed + ")");
            }
            assertTrue(recordingDevice.replays() >= 4, recordingDevice.replays() + " replays");
            assertEquals(0, eagerDevice.replays());
        }
    }

    @Test
    void aBatchThatOutgrowsTheSparsePlansDropsTheGraphsThatUseThem() {
        EmulatedDevice device = new EmulatedDevice();
        try (CudaBackend cuda = emulated(device, new EmulatedLibraries(device), true)) {
            BertEncoder encoder = new BertEncoder(weights, cuda);
            // Grow the operand scratch past what any pass below needs, so only the plans change: a moved
            // scratch or arena would drop the graphs anyway and hide a plan change that did not.
            PreparedLinear wide = cuda.prepare(
                    new Linear("wide", TwoFourWeights.fromDense(RandomWeights.twoFour(random, 8, 128)), new float[8]));
            encoder.forward(batch(texts(5)), Pooling.MEAN, true);
            cuda.linear(wide, cuda.allocate(1000, 128), ActivationFunction.NONE, cuda.allocate(1000, 8));
            for (int i = 0; i < 4; i++) {
                encoder.forward(batch(texts(5)), Pooling.MEAN, true);
            }
            int replays = device.replays();
            assertTrue(replays > 0, "recorded and replayed");
            int[] lengths = new int[5];
            Arrays.fill(lengths, 30);
            assertTrue(5 * 30 > CusparseLinear.INITIAL_MAX_TOKENS);
            encoder.forward(batch(texts(lengths)), Pooling.MEAN, true);
            // A stale graph would run SpMM on a closed plan, which the emulation refuses.
            for (int i = 0; i < 4; i++) {
                encoder.forward(batch(texts(5)), Pooling.MEAN, true);
            }
            assertTrue(device.replays() > replays, "recorded again and replayed");
        }
    }

    @Test
    void hiddenStatesAndSingleLayersAgreeWithTheCpuBackend() {
        TokenBatch batch = batch(texts(6, 11));
        EmulatedDevice device = new EmulatedDevice();
        try (CpuBackend cpu = new CpuBackend(2);
                CudaBackend cuda = emulated(device, new EmulatedLibraries(device), true)) {
            BertEncoder onCpu = new BertEncoder(weights, cpu);
            BertEncoder onCuda = new BertEncoder(weights, cuda);
            float[] embeddings = onCpu.hiddenStates(batch, 0);
            assertTrue(
                    Seeds.relativeError(onCuda.hiddenStates(batch, 0), embeddings) < 1e-5,
                    "embeddings (seed=" + seed + ")");
            float[] layer = onCpu.runLayers(0, 1, embeddings, batch);
            double error = Seeds.relativeError(onCuda.runLayers(0, 1, embeddings, batch), layer);
            assertTrue(error < 2e-2, "layer 0: relative error " + error + " (seed=" + seed + ")");
        }
    }

    @Test
    void closingFreesEveryAllocationAndHandle() {
        EmulatedDevice device = new EmulatedDevice();
        EmulatedLibraries libraries = new EmulatedLibraries(device);
        CudaBackend cuda = emulated(device, libraries, true);
        BertEncoder encoder = new BertEncoder(weights, cuda);
        for (int length : new int[] {3, 30, 3, 3, 3}) {
            encoder.forward(batch(texts(length)), Pooling.MEAN, true);
        }
        encoder.forward(batch(texts(2, 39, 4)), Pooling.MEAN, true);
        assertTrue(cuda.deviceBytes() > 0);
        cuda.close();
        cuda.close();
        assertEquals(0, cuda.deviceBytes());
        assertEquals(0, device.liveAllocations());
        assertEquals(0, libraries.openHandles);
    }
}
