package dev.sparseinfer.engine.io.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.Embedding;
import dev.sparseinfer.engine.api.EmbeddingModel;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.engine.api.Similarity;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.format.FloatTensor;
import dev.sparseinfer.engine.format.Int8Scales;
import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.engine.format.Int8Weights;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.format.LinearWeights;
import dev.sparseinfer.engine.format.TwoFourInt8Weights;
import dev.sparseinfer.engine.io.MappedModel;
import dev.sparseinfer.engine.io.ModelLoader;
import dev.sparseinfer.engine.io.safetensors.DType;
import dev.sparseinfer.engine.io.safetensors.SafetensorsWriter;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.engine.testing.TinyBert;
import dev.sparseinfer.engine.testing.TinyTokenizer;
import dev.sparseinfer.engine.testing.ZeroedBert;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints in llm-compressor's compressed-tensors format, written here the way its compressors write them, load
 * into the formats their weights fit and compute what the same weights stored plainly compute.
 */
class CompressedTensorsCheckpointTest {

    private static final ModelOptions CPU =
            ModelOptions.defaults().withBackend(BackendKind.CPU).withThreads(1);
    private static final List<String> TEXTS = List.of("the cat sat on the mat.", "a dog", "cafe 猫, running!");
    private static final String BROKEN_LAYER = "encoder.layer.1.output.dense";

    @TempDir
    Path dir;

    @Test
    void sparse24BitmaskLoadsAs2to4AndEmbedsAsTheSameWeightsStoredDense() throws IOException {
        long seed = Seeds.fresh();
        Path plain = dir.resolve("plain");
        Path compressed = dir.resolve("compressed");
        ZeroedBert.write(plain, seed, ZeroedBert::twoFour);
        write(compressed, zeroed(seed, ZeroedBert::twoFour), Storage.BITMASK, sparsityOnly("sparse-24-bitmask"));

        assertEquals(Map.of("TwoFourWeights", 12), formats(compressed), "seed " + seed);
        assertSameEmbeddings(plain, compressed, seed);
        try (EmbeddingModel model = EmbeddingModel.open(compressed, CPU)) {
            assertTrue(model.modelNotice().orElseThrow().contains("sparse-24-bitmask"), model.modelNotice()::get);
        }
    }

    @Test
    void sparseBitmaskWithRowOffsetsLoadsAsCsrAndEmbedsAsTheSameWeightsStoredDense() throws IOException {
        long seed = Seeds.fresh();
        Path plain = dir.resolve("plain");
        Path compressed = dir.resolve("compressed");
        ZeroedBert.write(plain, seed, ZeroedBert::firstThreePerRow);
        write(compressed, zeroed(seed, ZeroedBert::firstThreePerRow), Storage.BITMASK, sparsityOnly("sparse-bitmask"));

        assertEquals(Map.of("CsrWeights", 12), formats(compressed), "seed " + seed);
        assertSameEmbeddings(plain, compressed, seed);
    }

    @Test
    void int8WeightsKeepTheFilesIntegersAndScalesAndRequantiseOnlyAChannelHoldingMinus128() throws IOException {
        long seed = Seeds.fresh();
        Map<String, Quantized> quantized = quantized(zeroed(seed, (name, w, out, in) -> {}), false);
        write(dir, quantized, Storage.INT8, quantization("int-quantized", true));

        Map<String, LinearWeights> layers = linears(dir);
        assertEquals(12, layers.size());
        for (Map.Entry<String, LinearWeights> e : layers.entrySet()) {
            Quantized q = quantized.get(e.getKey() + ".weight");
            Int8Weights w = assertInstanceOf(Int8Weights.class, e.getValue(), e.getKey());
            assertEquals(Int8Scheme.W8A8, w.scales().scheme());
            int in = w.inFeatures();
            for (int o = 0; o < w.outFeatures(); o++) {
                boolean requantised = e.getKey().equals(BROKEN_LAYER) && o == 0;
                for (int i = 0; i < in; i++) {
                    int expected = requantised
                            ? Int8Scales.quantize(
                                    q.levels()[o * in + i] * q.scales()[o],
                                    w.scales().scales()[o])
                            : q.levels()[o * in + i];
                    assertEquals(
                            expected, w.values()[o * in + i], e.getKey() + " [" + o + ", " + i + "], seed " + seed);
                }
                if (!requantised) {
                    assertEquals(q.scales()[o], w.scales().scales()[o], e.getKey() + " scale " + o);
                }
            }
        }
        // The channel holding -128 keeps its largest entry: its new scale is 128/127 of the file's.
        Quantized broken = quantized.get(BROKEN_LAYER + ".weight");
        Int8Weights requantised = (Int8Weights) layers.get(BROKEN_LAYER);
        assertEquals(broken.scales()[0] * 128 / 127, requantised.scales().scales()[0], 1e-6 * broken.scales()[0]);

        // w8a8 against the same dequantised weights run in fp32: close, not equal (activations are rounded).
        Path plain = dir.resolve("plain");
        writeDequantized(plain, quantized);
        List<Embedding> fp32 = embed(plain);
        List<Embedding> int8 = embed(dir);
        for (int t = 0; t < TEXTS.size(); t++) {
            double cosine = Similarity.cosine(fp32.get(t).vector(), int8.get(t).vector());
            assertTrue(cosine > 0.99, "text " + t + ": cosine " + cosine + ", seed " + seed);
        }
    }

    @Test
    void int8WeightsCompressedAs2to4Load2to4Int8WithTheFilesIntegers() throws IOException {
        long seed = Seeds.fresh();
        Map<String, Quantized> quantized = quantized(zeroed(seed, ZeroedBert::twoFour), true);
        write(
                dir,
                quantized,
                Storage.INT8_BITMASK,
                withSparsity(quantization("int-quantized", false), "sparse-24-bitmask"));

        Map<String, LinearWeights> layers = linears(dir);
        assertEquals(12, layers.size());
        for (Map.Entry<String, LinearWeights> e : layers.entrySet()) {
            TwoFourInt8Weights w = assertInstanceOf(TwoFourInt8Weights.class, e.getValue(), e.getKey());
            Quantized q = quantized.get(e.getKey() + ".weight");
            assertEquals(Int8Scheme.W8, w.scales().scheme());
            assertArrayEquals(q.scales(), w.scales().scales(), e.getKey());
            float[] dense = w.toDense().data();
            for (int k = 0; k < dense.length; k++) {
                int o = k / w.inFeatures();
                assertEquals(
                        q.levels()[k] * q.scales()[o], dense[k], 0f, e.getKey() + " entry " + k + ", seed " + seed);
            }
        }
    }

    @Test
    void aBitmaskWithMoreBitsThanValuesIsAOneLineErrorNamingTheTensor() throws IOException {
        long seed = Seeds.fresh();
        // One layer is a value short: its bitmask claims an entry the file does not hold.
        write(
                dir,
                zeroed(seed, ZeroedBert::twoFour),
                Storage.BITMASK_ONE_VALUE_SHORT,
                sparsityOnly("sparse-24-bitmask"));

        SparseInferException e = assertThrows(SparseInferException.class, () -> EmbeddingModel.open(dir, CPU));
        assertTrue(e.getMessage().contains(BROKEN_LAYER + ".compressed"), e.getMessage());
        assertTrue(e.getMessage().contains("fewer than the bits set"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void formatsAndSchemesSparseInferCannotRunExactlyAreRefusedByName() {
        assertRefused(quantization("pack-quantized", false), "quantization format 'pack-quantized' is not supported");
        assertRefused(withSparsity(new JsonObject(), "marlin-24"), "sparsity format 'marlin-24' is not supported");
        JsonObject grouped = quantization("int-quantized", false);
        weights(grouped).addProperty("strategy", "group");
        assertRefused(grouped, "'group' strategy");
        JsonObject fourBit = quantization("int-quantized", false);
        weights(fourBit).addProperty("num_bits", 4);
        assertRefused(fourBit, "only 8-bit int is supported");
        JsonObject staticActivations = quantization("int-quantized", true);
        activations(staticActivations).addProperty("dynamic", false);
        assertRefused(staticActivations, "static scales");

        assertTrue(CompressedTensorsConfig.fromConfigJson(TinyBert.configJson(TinyBert.CONFIG), "c")
                .isEmpty());
    }

    private static void assertRefused(JsonObject quantizationConfig, String expected) {
        JsonObject config =
                JsonParser.parseString(TinyBert.configJson(TinyBert.CONFIG)).getAsJsonObject();
        config.add("quantization_config", quantizationConfig);
        SparseInferException e = assertThrows(
                SparseInferException.class,
                () -> CompressedTensorsConfig.fromConfigJson(config.toString(), "dir/config.json"));
        assertTrue(e.getMessage().startsWith("dir/config.json: compressed-tensors "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    // ---- checkpoints as llm-compressor writes them ----

    private enum Storage {
        BITMASK,
        BITMASK_ONE_VALUE_SHORT,
        INT8,
        INT8_BITMASK
    }

    /** A layer's int8 levels ({@code [out, in]}) and per-channel scales. */
    private record Quantized(FloatTensor dense, int[] levels, float[] scales) {}

    private static Map<String, FloatTensor> zeroed(long seed, ZeroedBert.Zeros zeros) {
        Map<String, FloatTensor> tensors = new LinkedHashMap<>(RandomBert.tensors(TinyBert.CONFIG, new Random(seed)));
        for (FloatTensor t : tensors.values()) {
            if (isLinear(t.name())) {
                zeros.apply(t.name(), t.data(), t.shape()[0], t.shape()[1]);
            }
        }
        return tensors;
    }

    /**
     * Symmetric per-channel int8 as llm-compressor computes it, in [-128, 127]; one channel of {@link #BROKEN_LAYER}
     * gets a -128. The others only keep their tensors as they are.
     */
    private static Map<String, Quantized> quantized(Map<String, FloatTensor> tensors, boolean keepZeros) {
        Map<String, Quantized> out = new LinkedHashMap<>();
        for (FloatTensor t : tensors.values()) {
            if (!isLinear(t.name())) {
                out.put(t.name(), new Quantized(t, null, null));
                continue;
            }
            int rows = t.shape()[0];
            int cols = t.shape()[1];
            int[] levels = new int[rows * cols];
            float[] scales = new float[rows];
            for (int o = 0; o < rows; o++) {
                float max = 0;
                for (int i = 0; i < cols; i++) {
                    max = Math.max(max, Math.abs(t.data()[o * cols + i]));
                }
                scales[o] = max / 127f;
                for (int i = 0; i < cols; i++) {
                    levels[o * cols + i] = Math.round(t.data()[o * cols + i] / scales[o]);
                }
            }
            if (!keepZeros && t.name().equals(BROKEN_LAYER + ".weight")) {
                levels[1] = -128;
            }
            out.put(t.name(), new Quantized(t, levels, scales));
        }
        return out;
    }

    private static void write(Path directory, Map<String, ?> tensors, Storage storage, JsonObject quantization)
            throws IOException {
        SafetensorsWriter out = new SafetensorsWriter().metadata("format", "pt");
        for (Map.Entry<String, ?> e : tensors.entrySet()) {
            String name = e.getKey();
            Quantized q = e.getValue() instanceof Quantized qq ? qq : null;
            FloatTensor t = q != null ? q.dense() : (FloatTensor) e.getValue();
            if (!isLinear(name)) {
                out.addF32(name, t.shape(), t.data());
                continue;
            }
            String prefix = name.substring(0, name.length() - ".weight".length());
            int rows = t.shape()[0];
            int cols = t.shape()[1];
            switch (storage) {
                case INT8 -> {
                    out.add(name, DType.I8, t.shape(), int8Bytes(q.levels()));
                    out.addF32(prefix + ".weight_scale", new int[] {rows, 1}, q.scales());
                    out.add(prefix + ".weight_zero_point", DType.I8, new int[] {rows, 1}, new byte[rows]);
                }
                case INT8_BITMASK -> {
                    float[] levels = new float[q.levels().length];
                    for (int i = 0; i < levels.length; i++) {
                        levels[i] = q.levels()[i];
                    }
                    float[] values = bitmask(out, prefix, levels, rows, cols, false);
                    int[] ints = new int[values.length];
                    for (int i = 0; i < ints.length; i++) {
                        ints[i] = (int) values[i];
                    }
                    out.add(prefix + ".compressed", DType.I8, new int[] {values.length}, int8Bytes(ints));
                    out.addF32(prefix + ".weight_scale", new int[] {rows, 1}, q.scales());
                }
                case BITMASK, BITMASK_ONE_VALUE_SHORT -> {
                    float[] values = bitmask(out, prefix, t.data(), rows, cols, true);
                    if (storage == Storage.BITMASK_ONE_VALUE_SHORT && prefix.equals(BROKEN_LAYER)) {
                        values = Arrays.copyOf(values, values.length - 1);
                    }
                    out.addF32(prefix + ".compressed", new int[] {values.length}, values);
                }
            }
        }
        JsonObject config =
                JsonParser.parseString(TinyBert.configJson(TinyBert.CONFIG)).getAsJsonObject();
        config.add("quantization_config", quantization);
        Files.createDirectories(directory);
        Files.writeString(directory.resolve("config.json"), config.toString());
        Files.writeString(directory.resolve("tokenizer.json"), TinyTokenizer.json());
        out.write(directory.resolve("model.safetensors"));
    }

    /** Writes {@code P.shape}, {@code P.bitmask} (and {@code P.row_offsets}); returns the non-zeros in order. */
    private static float[] bitmask(
            SafetensorsWriter out, String prefix, float[] dense, int rows, int cols, boolean rowOffsets) {
        int bytesPerRow = (cols + 7) / 8;
        byte[] mask = new byte[rows * bytesPerRow];
        long[] offsets = new long[rows];
        float[] values = new float[dense.length];
        int n = 0;
        for (int r = 0; r < rows; r++) {
            offsets[r] = n;
            for (int c = 0; c < cols; c++) {
                if (dense[r * cols + c] != 0f) {
                    mask[r * bytesPerRow + c / 8] |= (byte) (1 << (c % 8));
                    values[n++] = dense[r * cols + c];
                }
            }
        }
        out.add(prefix + ".shape", DType.I64, new int[] {2, 1}, longBytes(new long[] {rows, cols}));
        out.add(prefix + ".bitmask", DType.U8, new int[] {rows, bytesPerRow}, mask);
        if (rowOffsets) {
            out.add(prefix + ".row_offsets", DType.I64, new int[] {rows}, longBytes(offsets));
        }
        return Arrays.copyOf(values, n);
    }

    private static void writeDequantized(Path directory, Map<String, Quantized> quantized) throws IOException {
        SafetensorsWriter out = new SafetensorsWriter().metadata("format", "pt");
        for (Map.Entry<String, Quantized> e : quantized.entrySet()) {
            Quantized q = e.getValue();
            float[] data = q.dense().data();
            if (q.levels() != null) {
                int cols = q.dense().shape()[1];
                data = new float[q.levels().length];
                for (int k = 0; k < data.length; k++) {
                    data[k] = q.levels()[k] * q.scales()[k / cols];
                }
            }
            out.addF32(e.getKey(), q.dense().shape(), data);
        }
        Files.createDirectories(directory);
        Files.writeString(directory.resolve("config.json"), TinyBert.configJson(TinyBert.CONFIG));
        Files.writeString(directory.resolve("tokenizer.json"), TinyTokenizer.json());
        out.write(directory.resolve("model.safetensors"));
    }

    private static JsonObject sparsityOnly(String format) {
        JsonObject q = new JsonObject();
        q.addProperty("quant_method", "compressed-tensors");
        q.addProperty("format", "dense");
        return withSparsity(q, format);
    }

    private static JsonObject withSparsity(JsonObject q, String format) {
        q.addProperty("quant_method", "compressed-tensors");
        JsonObject sparsity = new JsonObject();
        sparsity.addProperty("format", format);
        sparsity.addProperty("sparsity_structure", format.contains("24") ? "2:4" : "unstructured");
        q.add("sparsity_config", sparsity);
        return q;
    }

    private static JsonObject quantization(String format, boolean activations) {
        JsonObject weights = new JsonObject();
        weights.addProperty("num_bits", 8);
        weights.addProperty("type", "int");
        weights.addProperty("symmetric", true);
        weights.addProperty("strategy", "channel");
        JsonObject group = new JsonObject();
        group.add("weights", weights);
        if (activations) {
            JsonObject input = new JsonObject();
            input.addProperty("num_bits", 8);
            input.addProperty("type", "int");
            input.addProperty("symmetric", true);
            input.addProperty("strategy", "token");
            input.addProperty("dynamic", true);
            group.add("input_activations", input);
        }
        JsonObject groups = new JsonObject();
        groups.add("group_0", group);
        JsonObject q = new JsonObject();
        q.addProperty("quant_method", "compressed-tensors");
        q.addProperty("format", format);
        q.add("config_groups", groups);
        return q;
    }

    private static JsonObject weights(JsonObject quantization) {
        return quantization
                .getAsJsonObject("config_groups")
                .getAsJsonObject("group_0")
                .getAsJsonObject("weights");
    }

    private static JsonObject activations(JsonObject quantization) {
        return quantization
                .getAsJsonObject("config_groups")
                .getAsJsonObject("group_0")
                .getAsJsonObject("input_activations");
    }

    // ---- reading back ----

    private static boolean isLinear(String name) {
        return name.startsWith("encoder.") && name.endsWith(".weight") && !name.contains("LayerNorm");
    }

    private static Map<String, LinearWeights> linears(Path model) {
        Map<String, LinearWeights> byName = new TreeMap<>();
        try (MappedModel mapped = ModelLoader.open(model)) {
            for (int i = 0; i < mapped.weights().layerCount(); i++) {
                for (Linear l : mapped.weights().layer(i).linears()) {
                    byName.put(l.name(), l.weights());
                }
            }
        }
        return byName;
    }

    private static Map<String, Integer> formats(Path model) {
        Map<String, Integer> counts = new TreeMap<>();
        linears(model).values().forEach(w -> counts.merge(w.getClass().getSimpleName(), 1, Integer::sum));
        return counts;
    }

    private static List<Embedding> embed(Path model) {
        try (EmbeddingModel m = EmbeddingModel.open(model, CPU)) {
            return m.embed(TEXTS);
        }
    }

    private static void assertSameEmbeddings(Path expectedModel, Path actualModel, long seed) {
        List<Embedding> expected = embed(expectedModel);
        List<Embedding> actual = embed(actualModel);
        for (int t = 0; t < expected.size(); t++) {
            assertArrayEquals(expected.get(t).vector(), actual.get(t).vector(), 1e-5f, "text " + t + ", seed " + seed);
        }
    }

    private static byte[] int8Bytes(int[] levels) {
        byte[] b = new byte[levels.length];
        for (int i = 0; i < levels.length; i++) {
            b[i] = (byte) levels[i];
        }
        return b;
    }

    private static byte[] longBytes(long[] values) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return b.array();
    }
}
