package dev.sparseinfer.engine.io.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.backend.TokenBatch;
import dev.sparseinfer.engine.backend.cpu.CpuBackend;
import dev.sparseinfer.engine.format.FloatTensor;
import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.engine.format.Int8Weights;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.io.MappedModel;
import dev.sparseinfer.engine.io.onnx.SyntheticBertOnnx.Quantization;
import dev.sparseinfer.engine.io.onnx.SyntheticBertOnnx.Quantized;
import dev.sparseinfer.engine.io.onnx.SyntheticBertOnnx.Style;
import dev.sparseinfer.engine.model.bert.BertCheckpoint;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.model.bert.BertEncoder;
import dev.sparseinfer.engine.model.bert.BertWeights;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.ReferenceBert;
import dev.sparseinfer.engine.testing.Seeds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Quantised ONNX graphs, written as ONNX Runtime's tools write them, loaded and run against float64. */
class QuantizedGraphTest {

    // 2 heads of 16, wide enough that per-token activation rounding stays small next to the weights' own.
    private static final BertConfig CONFIG = new BertConfig(29, 32, 2, 2, 48, 9, 2, 1e-7, BertConfig.GELU);

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(names = {"DYNAMIC", "QLINEAR", "QDQ"})
    void keepsTheFilesInt8WeightsAndScalesExactly(Quantization form) throws IOException {
        long seed = Seeds.fresh();
        Map<String, FloatTensor> tensors = RandomBert.tensors(CONFIG, new Random(seed));
        Path file = write(tensors, form);
        BertWeights dequantized = BertCheckpoint.toWeights(dequantized(tensors, form), CONFIG, "expected");
        String context = form + " (seed=" + seed + ")";

        try (MappedModel model = OnnxBertLoader.open(file, "{}")) {
            BertWeights loaded = BertCheckpoint.inMemory(model.weights());
            assertTrue(model.notice().orElseThrow().contains("with the file's int8 weights and scales unchanged"));
            Int8Scheme scheme = form == Quantization.QDQ ? Int8Scheme.W8 : Int8Scheme.W8A8;
            for (int layer = 0; layer < CONFIG.layers(); layer++) {
                List<Linear> expected = dequantized.layers().get(layer).linears();
                List<Linear> actual = loaded.layers().get(layer).linears();
                for (int i = 0; i < expected.size(); i++) {
                    Int8Weights w =
                            assertInstanceOf(Int8Weights.class, actual.get(i).weights(), context);
                    assertEquals(scheme, w.scales().scheme(), context);
                    assertArrayEquals(
                            expected.get(i).weights().toDense().data(),
                            w.toDense().data(),
                            expected.get(i).name() + " " + context);
                    assertArrayEquals(expected.get(i).bias(), actual.get(i).bias(), context);
                }
            }
            assertArrayEquals(
                    dequantized.embeddings().word().toMatrix().data(),
                    loaded.embeddings().word().toMatrix().data(),
                    context);
            assertRunsLikeTheFloat64Reference(loaded, dequantized, new Random(seed), context);
        }
    }

    @Test
    void requantisesWeightsWhoseZeroPointsLeaveTheSymmetricRange() throws IOException {
        long seed = Seeds.fresh();
        Map<String, FloatTensor> tensors = RandomBert.tensors(CONFIG, new Random(seed));
        Path file = write(tensors, Quantization.DYNAMIC_UINT8_OFFSET);
        BertWeights dequantized =
                BertCheckpoint.toWeights(dequantized(tensors, Quantization.DYNAMIC_UINT8_OFFSET), CONFIG, "expected");

        try (MappedModel model = OnnxBertLoader.open(file, "{}")) {
            assertTrue(model.notice().orElseThrow().contains("of them dequantised and requantised"));
            BertWeights loaded = BertCheckpoint.inMemory(model.weights());
            for (int layer = 0; layer < CONFIG.layers(); layer++) {
                for (Linear l : loaded.layers().get(layer).linears()) {
                    Int8Weights w = assertInstanceOf(Int8Weights.class, l.weights());
                    assertEquals(Int8Scheme.W8A8, w.scales().scheme());
                }
            }
            assertRunsLikeTheFloat64Reference(loaded, dequantized, new Random(seed), "seed=" + seed);
        }
    }

    @Test
    void rejectsAZeroPointOfTheWrongShape() throws IOException {
        SparseInferException e = loadFails(Quantization.DYNAMIC_WRONG_ZERO_POINT_SHAPE);
        assertTrue(
                e.getMessage()
                                .contains(
                                        "MatMulInteger '/encoder/layer.0/attention/self/query/MatMul_quant': zero point")
                        && e.getMessage().contains("expected [] or [32]"),
                e.getMessage());
    }

    @Test
    void rejectsADequantizeLinearWithoutAScale() throws IOException {
        SparseInferException e = loadFails(Quantization.QDQ_MISSING_SCALE);
        assertTrue(
                e.getMessage().contains("MatMul '/encoder/layer.0/attention/self/query/MatMul'")
                        && e.getMessage().contains("missing scale"),
                e.getMessage());
    }

    @Test
    void anFp32GraphHasNoNotice() throws IOException {
        Path file = write(RandomBert.tensors(CONFIG, new Random(Seeds.fresh())), Quantization.NONE);
        try (MappedModel model = OnnxBertLoader.open(file, "{}")) {
            assertFalse(model.notice().isPresent());
        }
    }

    /** Our int8 kernels on the loaded model against float64 on the file's dequantised weights. */
    private static void assertRunsLikeTheFloat64Reference(
            BertWeights loaded, BertWeights dequantized, Random random, String context) {
        int[][] ids = new int[3][];
        int[][] types = new int[3][];
        for (int s = 0; s < ids.length; s++) {
            ids[s] = random.ints(2 + s * 3, 0, CONFIG.vocabSize()).toArray();
            types[s] = random.ints(ids[s].length, 0, 2).toArray();
        }
        try (CpuBackend backend = new CpuBackend(1)) {
            float[][] actual =
                    new BertEncoder(loaded, backend).forward(TokenBatch.pack(ids, types), Pooling.MEAN, true);
            for (int s = 0; s < ids.length; s++) {
                double[] expected = ReferenceBert.embed(dequantized, ids[s], types[s]);
                double dot = 0;
                for (int c = 0; c < expected.length; c++) {
                    dot += expected[c] * actual[s][c];
                }
                // Both are unit vectors; per-token activation rounding is all that separates them.
                assertTrue(dot > 0.999, "sequence " + s + ": cosine " + dot + " " + context);
            }
        }
    }

    /** The tensors as the quantised file holds them, dequantised: what ONNX Runtime computes with. */
    private static Map<String, FloatTensor> dequantized(Map<String, FloatTensor> tensors, Quantization form) {
        Map<String, FloatTensor> out = new LinkedHashMap<>(tensors);
        for (var e : tensors.entrySet()) {
            String name = e.getKey();
            float[] data = e.getValue().data();
            int[] shape = e.getValue().shape();
            if (name.startsWith("embeddings.") && name.endsWith("_embeddings.weight")) {
                Quantized q = SyntheticBertOnnx.quantizeTable(data);
                float[] d = new float[data.length];
                for (int i = 0; i < d.length; i++) {
                    d[i] = q.dequantize(i, shape[1]);
                }
                out.put(name, new FloatTensor(name, shape, d));
            } else if (name.startsWith("encoder.") && name.endsWith("weight") && shape.length == 2) {
                int rows = shape[0];
                int cols = shape[1];
                Quantized q = SyntheticBertOnnx.quantizeWeight(data, rows, cols, form);
                float[] d = new float[data.length];
                for (int o = 0; o < rows; o++) {
                    for (int i = 0; i < cols; i++) {
                        d[o * cols + i] = q.dequantize(i * rows + o, rows); // stored [in, out]
                    }
                }
                out.put(name, new FloatTensor(name, shape, d));
            }
        }
        return out;
    }

    private SparseInferException loadFails(Quantization form) throws IOException {
        Path file = write(RandomBert.tensors(CONFIG, new Random(1)), form);
        SparseInferException e = assertThrows(SparseInferException.class, () -> OnnxBertLoader.load(file));
        assertEquals(SparseInferException.Code.INVALID_MODEL, e.code(), e.getMessage());
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e;
    }

    private Path write(Map<String, FloatTensor> tensors, Quantization form) throws IOException {
        Path file = Files.createTempFile(dir, "model", ".onnx");
        Files.write(file, SyntheticBertOnnx.write(tensors, CONFIG, Style.TORCH_2_0.withQuantization(form)));
        return file;
    }
}
