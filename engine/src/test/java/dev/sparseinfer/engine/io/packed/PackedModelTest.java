package dev.sparseinfer.engine.io.packed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.sparseinfer.engine.api.EmbeddingRecipe;
import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.format.CsrInt8Weights;
import dev.sparseinfer.engine.format.CsrWeights;
import dev.sparseinfer.engine.format.DenseWeights;
import dev.sparseinfer.engine.format.FloatMatrix;
import dev.sparseinfer.engine.format.FloatTable;
import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.engine.format.Int8Weights;
import dev.sparseinfer.engine.format.LayerNormWeights;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.format.LinearWeights;
import dev.sparseinfer.engine.format.TwoFourInt8Weights;
import dev.sparseinfer.engine.format.TwoFourWeights;
import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.io.MappedModel;
import dev.sparseinfer.engine.io.safetensors.SafetensorsWriter;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.model.bert.BertLayer;
import dev.sparseinfer.engine.model.bert.BertWeights;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.RandomWeights;
import dev.sparseinfer.engine.testing.Seeds;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackedModelTest {

    /** Widths in groups of 4 (2:4 needs it) but no multiple of a vector length; 3 layers so every format appears. */
    private static final BertConfig CONFIG = new BertConfig(31, 12, 3, 3, 20, 9, 2, 1e-12, BertConfig.GELU);

    private static final String TOKENIZER = "{\"model\":{\"type\":\"WordPiece\"},\"note\":\"ünïcödé ✓\"}";
    private static final String RECIPE = "{\"prune.pattern\":\"2:4\"}";

    @TempDir
    Path dir;

    @Test
    void everyFloatFormatRoundTripsBitExactly() {
        assertRoundTrips((random, m) -> switch (random.nextInt(3)) {
            case 0 -> new DenseWeights(m);
            case 1 -> CsrWeights.fromDense(sparse(random, m));
            default -> TwoFourWeights.fromDense(twoFour(random, m));
        });
    }

    @Test
    void everyInt8FormatRoundTripsBitExactlyUnderBothSchemes() {
        for (Int8Scheme scheme : Int8Scheme.values()) {
            assertRoundTrips((random, m) -> switch (random.nextInt(3)) {
                case 0 -> Int8Weights.quantize(m, scheme);
                case 1 -> CsrInt8Weights.quantize(CsrWeights.fromDense(sparse(random, m)), scheme);
                default -> TwoFourInt8Weights.quantize(TwoFourWeights.fromDense(twoFour(random, m)), scheme);
            });
        }
    }

    @Test
    void opensInAPlainSafetensorsReader() throws IOException {
        Path file = dir.resolve("model.safetensors");
        PackedModel.write(model(new Random(Seeds.fresh()), (r, m) -> CsrWeights.fromDense(sparse(r, m))), RECIPE, file);

        // The format as the safetensors spec defines it, read with nothing of ours: an 8-byte little-endian header
        // length, a JSON header of string metadata and tensors, then the tensors' bytes, back to back, to the end.
        byte[] bytes = Files.readAllBytes(file);
        long headerLength =
                ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonObject header = JsonParser.parseString(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8))
                .getAsJsonObject();
        Map<String, Integer> dtypeBytes = Map.of("F32", 4, "I32", 4, "I8", 1, "U8", 1);
        List<long[]> spans = new ArrayList<>();
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            JsonObject o = e.getValue().getAsJsonObject();
            if (e.getKey().equals("__metadata__")) {
                o.entrySet()
                        .forEach(m ->
                                assertTrue(m.getValue().getAsJsonPrimitive().isString(), m.getKey()));
                assertEquals(TOKENIZER, o.get(PackedModel.TOKENIZER_KEY).getAsString());
                continue;
            }
            long elements = 1;
            for (JsonElement d : o.getAsJsonArray("shape")) {
                elements *= d.getAsLong();
            }
            long begin = o.getAsJsonArray("data_offsets").get(0).getAsLong();
            long end = o.getAsJsonArray("data_offsets").get(1).getAsLong();
            assertEquals(elements * dtypeBytes.get(o.get("dtype").getAsString()), end - begin, e.getKey());
            spans.add(new long[] {begin, end});
        }
        spans.sort((a, b) -> Long.compare(a[0], b[0]));
        long at = 0;
        for (long[] span : spans) {
            assertEquals(at, span[0], "tensors are back to back");
            at = span[1];
        }
        assertEquals(bytes.length - 8 - headerLength, at, "the tensors fill the rest of the file");
        assertTrue(header.has("encoder.layer.0.attention.self.query.weight.csr.values"));
    }

    @Test
    void theModelsPoolingNormalisationAndPromptsRoundTrip() {
        Path file = dir.resolve("model.safetensors");
        Map<String, String> prompts = new LinkedHashMap<>();
        prompts.put("query", "query: ");
        prompts.put("passage", "passage: \"quoted\" ✓");
        EmbeddingRecipe recipe = new EmbeddingRecipe(Pooling.CLS, false, prompts, "passage", false);
        LoadedModel model = model(new Random(Seeds.fresh()), (r, m) -> new DenseWeights(m));
        PackedModel.write(
                new LoadedModel(model.weights(), model.tokenizerJson(), "random", Map.of(), recipe), RECIPE, file);
        try (MappedModel opened = PackedModel.open(file)) {
            assertEquals(recipe, opened.recipe());
            assertEquals(
                    List.of("query", "passage"),
                    List.copyOf(opened.recipe().prompts().keySet()),
                    "in order");
            assertEquals("cls", opened.metadata().get("sparseinfer.pooling"));
            assertEquals("false", opened.metadata().get("sparseinfer.include_prompt"));
        }
        assertEquals(recipe, PackedModel.load(file).recipe());
    }

    /** Files written before the recipe was recorded run as they always did. */
    @Test
    void aFileWithoutTheRecipeKeysIsMeanPooledAndNormalised() throws IOException {
        Path file = dir.resolve("model.safetensors");
        LoadedModel model = model(new Random(Seeds.fresh()), (r, m) -> new DenseWeights(m));
        PackedModel.write(
                new LoadedModel(
                        model.weights(),
                        model.tokenizerJson(),
                        "random",
                        Map.of(),
                        EmbeddingRecipe.of(Pooling.MAX, false)),
                RECIPE,
                file);
        withoutMetadata(
                file,
                "sparseinfer.pooling",
                "sparseinfer.normalize",
                "sparseinfer.prompts",
                "sparseinfer.default_prompt");
        try (MappedModel opened = PackedModel.open(file)) {
            assertFalse(opened.metadata().containsKey("sparseinfer.pooling"));
            assertEquals(EmbeddingRecipe.MEAN_NORMALIZED, opened.recipe());
        }
    }

    @Test
    void aMalformedRecipeKeyIsABadModelNamingTheKey() throws IOException {
        Path file = dir.resolve("model.safetensors");
        PackedModel.write(model(new Random(Seeds.fresh()), (r, m) -> new DenseWeights(m)), RECIPE, file);
        replaceMetadata(file, "sparseinfer.pooling", "mea");
        SparseInferException e = assertThrows(SparseInferException.class, () -> PackedModel.open(file));
        assertEquals(SparseInferException.Code.INVALID_MODEL, e.code());
        assertTrue(
                e.getMessage().contains("sparseinfer.pooling") && e.getMessage().contains("'mea'"), e.getMessage());
    }

    /** Rewrites the header without the keys, padded with spaces (as the format allows) so the tensors stay put. */
    private static void withoutMetadata(Path file, String... keys) throws IOException {
        editMetadata(file, metadata -> {
            for (String key : keys) {
                metadata.remove(key);
            }
        });
    }

    private static void replaceMetadata(Path file, String key, String value) throws IOException {
        editMetadata(file, metadata -> metadata.addProperty(key, value));
    }

    private static void editMetadata(Path file, Consumer<JsonObject> edit) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int headerLength = (int)
                ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonObject header = JsonParser.parseString(new String(bytes, 8, headerLength, StandardCharsets.UTF_8))
                .getAsJsonObject();
        edit.accept(header.getAsJsonObject("__metadata__"));
        byte[] edited = header.toString().getBytes(StandardCharsets.UTF_8);
        assertTrue(edited.length <= headerLength, "the edited header fits where the old one was");
        Arrays.fill(bytes, 8, 8 + headerLength, (byte) ' ');
        System.arraycopy(edited, 0, bytes, 8, edited.length);
        Files.write(file, bytes);
    }

    @Test
    void aTruncatedFileIsABadModel() throws IOException {
        Path file = dir.resolve("model.safetensors");
        PackedModel.write(model(new Random(Seeds.fresh()), (r, m) -> new DenseWeights(m)), RECIPE, file);
        byte[] bytes = Files.readAllBytes(file);
        for (int keep : new int[] {bytes.length - 1, bytes.length / 2, 100, 7}) {
            Files.write(file, Arrays.copyOf(bytes, keep));
            SparseInferException e =
                    assertThrows(SparseInferException.class, () -> PackedModel.load(file), "kept " + keep);
            assertEquals(SparseInferException.Code.INVALID_MODEL, e.code(), e.getMessage());
        }
    }

    @Test
    void aHeaderThatLiesAboutOffsetsIsABadModel() throws IOException {
        Path file = dir.resolve("model.safetensors");
        PackedModel.write(model(new Random(Seeds.fresh()), (r, m) -> new DenseWeights(m)), RECIPE, file);
        byte[] bytes = Files.readAllBytes(file);
        int headerLength = (int)
                ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(bytes, 8, headerLength, StandardCharsets.UTF_8);
        JsonObject json = JsonParser.parseString(header).getAsJsonObject();
        JsonObject query = json.getAsJsonObject("encoder.layer.0.attention.self.query.weight");
        long end = query.getAsJsonArray("data_offsets").get(1).getAsLong();
        // One tensor now claims to end far past the end of the file.
        String lie = header.replace("," + end + "]", "," + (end + 90_000_000) + "]");
        assertNotEquals(header, lie);
        ByteBuffer out = ByteBuffer.allocate(
                        8 + lie.getBytes(StandardCharsets.UTF_8).length + bytes.length - 8 - headerLength)
                .order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(lie.getBytes(StandardCharsets.UTF_8).length)
                .put(lie.getBytes(StandardCharsets.UTF_8))
                .put(bytes, 8 + headerLength, bytes.length - 8 - headerLength);
        Files.write(file, out.array());
        SparseInferException e = assertThrows(SparseInferException.class, () -> PackedModel.load(file));
        assertEquals(SparseInferException.Code.INVALID_MODEL, e.code(), e.getMessage());
    }

    @Test
    void aPlainCheckpointIsNotTakenForAPackedModel() throws IOException {
        Path file = dir.resolve("plain.safetensors");
        new SafetensorsWriter().addF32("w", new int[] {1}, new float[] {1}).write(file);
        SparseInferException e = assertThrows(SparseInferException.class, () -> PackedModel.load(file));
        assertEquals(SparseInferException.Code.INVALID_MODEL, e.code());
        assertTrue(e.getMessage().contains("without SparseInfer metadata"), e.getMessage());
    }

    @Test
    void opensTablesAsViewsOfTheMappingThatFailClearlyOnceItIsClosed() {
        long seed = Seeds.fresh();
        Path file = dir.resolve("model.safetensors");
        LoadedModel written = model(new Random(seed), (r, m) -> new DenseWeights(m));
        PackedModel.write(written, RECIPE, file);

        MappedModel mapped = PackedModel.open(file);
        FloatTable word = mapped.weights().embeddings().word();
        assertTrue(word.values().isMapped(), "the word table is read from the file, not copied");
        assertArrayEquals(
                written.weights().embeddings().word().toMatrix().data(),
                word.toMatrix().data(),
                "seed=" + seed);
        mapped.close();

        assertThrows(IllegalStateException.class, () -> word.get(0, 0), "a read after close");
        assertThrows(IllegalStateException.class, () -> mapped.weights().layer(0), "a layer read after close");
        mapped.close(); // closing twice does nothing
        assertFalse(
                PackedModel.load(file).weights().embeddings().word().values().isNative(), "loaded: on the heap");
    }

    private void assertRoundTrips(BiFunction<Random, FloatMatrix, LinearWeights> format) {
        long seed = Seeds.fresh();
        LoadedModel written = model(new Random(seed), format);
        Path file = dir.resolve("model-" + seed + ".safetensors");
        PackedModel.write(written, RECIPE, file);

        LoadedModel read = PackedModel.load(file);

        String context = "seed=" + seed;
        assertEquals(CONFIG, read.weights().config(), context);
        assertEquals(TOKENIZER, read.tokenizerJson(), context);
        assertEquals(RECIPE, read.metadata().get(PackedModel.RECIPE_KEY), context);
        BertWeights a = written.weights();
        BertWeights b = read.weights();
        assertArrayEquals(
                a.embeddings().word().toMatrix().data(),
                b.embeddings().word().toMatrix().data(),
                context);
        assertArrayEquals(
                a.embeddings().position().toMatrix().data(),
                b.embeddings().position().toMatrix().data(),
                context);
        assertArrayEquals(
                a.embeddings().tokenType().toMatrix().data(),
                b.embeddings().tokenType().toMatrix().data(),
                context);
        assertNormEquals(a.embeddings().norm(), b.embeddings().norm(), context);
        Set<String> formats = new HashSet<>();
        for (int l = 0; l < CONFIG.layers(); l++) {
            BertLayer x = a.layers().get(l);
            BertLayer y = b.layers().get(l);
            for (int i = 0; i < x.linears().size(); i++) {
                assertLinearEquals(x.linears().get(i), y.linears().get(i), context);
                formats.add(x.linears().get(i).weights().getClass().getSimpleName());
            }
            assertNormEquals(x.attentionNorm(), y.attentionNorm(), context);
            assertNormEquals(x.outputNorm(), y.outputNorm(), context);
        }
        assertEquals(3, formats.size(), "every format of the family was written: " + formats + " " + context);
    }

    private static void assertLinearEquals(Linear expected, Linear actual, String context) {
        String where = expected.name() + " " + context;
        assertEquals(expected.name(), actual.name());
        assertArrayEquals(expected.bias(), actual.bias(), where);
        LinearWeights e = expected.weights();
        LinearWeights a = actual.weights();
        assertEquals(e.getClass(), a.getClass(), where);
        switch (e) {
            case DenseWeights d ->
                assertArrayEquals(d.matrix().data(), ((DenseWeights) a).matrix().data(), where);
            case CsrWeights c -> {
                CsrWeights r = (CsrWeights) a;
                assertArrayEquals(c.pattern().rowPtr(), r.pattern().rowPtr(), where);
                assertArrayEquals(c.pattern().colIdx(), r.pattern().colIdx(), where);
                assertArrayEquals(c.values(), r.values(), where);
            }
            case TwoFourWeights t -> {
                TwoFourWeights r = (TwoFourWeights) a;
                assertArrayEquals(t.pattern().meta(), r.pattern().meta(), where);
                assertArrayEquals(t.values(), r.values(), where);
            }
            case Int8Weights q -> {
                Int8Weights r = (Int8Weights) a;
                assertArrayEquals(q.values(), r.values(), where);
                assertArrayEquals(q.scales().scales(), r.scales().scales(), where);
                assertEquals(q.scales().scheme(), r.scales().scheme(), where);
            }
            case CsrInt8Weights q -> {
                CsrInt8Weights r = (CsrInt8Weights) a;
                assertArrayEquals(q.pattern().rowPtr(), r.pattern().rowPtr(), where);
                assertArrayEquals(q.pattern().colIdx(), r.pattern().colIdx(), where);
                assertArrayEquals(q.values(), r.values(), where);
                assertArrayEquals(q.scales().scales(), r.scales().scales(), where);
                assertEquals(q.scales().scheme(), r.scales().scheme(), where);
            }
            case TwoFourInt8Weights q -> {
                TwoFourInt8Weights r = (TwoFourInt8Weights) a;
                assertArrayEquals(q.pattern().meta(), r.pattern().meta(), where);
                assertArrayEquals(q.values(), r.values(), where);
                assertArrayEquals(q.scales().scales(), r.scales().scales(), where);
                assertEquals(q.scales().scheme(), r.scales().scheme(), where);
            }
        }
    }

    private static void assertNormEquals(LayerNormWeights expected, LayerNormWeights actual, String context) {
        assertArrayEquals(expected.gamma(), actual.gamma(), context);
        assertArrayEquals(expected.beta(), actual.beta(), context);
    }

    /** A random model whose every linear layer is put in a format drawn by {@code format}. */
    private static LoadedModel model(Random random, BiFunction<Random, FloatMatrix, LinearWeights> format) {
        BertWeights dense = RandomBert.weights(CONFIG, random);
        List<BertLayer> layers = new ArrayList<>();
        for (BertLayer l : dense.layers()) {
            List<Linear> converted = l.linears().stream()
                    .map(x -> new Linear(
                            x.name(), format.apply(random, x.weights().toDense()), x.bias()))
                    .toList();
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
        return new LoadedModel(new BertWeights(CONFIG, dense.embeddings(), layers), TOKENIZER, "random");
    }

    private static FloatMatrix sparse(Random random, FloatMatrix m) {
        FloatMatrix mask = RandomWeights.unstructured(random, m.rows(), m.cols(), 0.6);
        return masked(m, mask);
    }

    private static FloatMatrix twoFour(Random random, FloatMatrix m) {
        return masked(m, RandomWeights.twoFour(random, m.rows(), m.cols()));
    }

    private static FloatMatrix masked(FloatMatrix m, FloatMatrix mask) {
        float[] out = m.data().clone();
        for (int i = 0; i < out.length; i++) {
            if (mask.data()[i] == 0) {
                out[i] = 0;
            }
        }
        return new FloatMatrix(m.rows(), m.cols(), out);
    }
}
