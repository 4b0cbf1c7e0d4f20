package dev.sparseinfer.engine.io.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.backend.Activations;
import dev.sparseinfer.engine.backend.TokenBatch;
import dev.sparseinfer.engine.backend.cpu.CpuBackend;
import dev.sparseinfer.engine.format.DenseWeights;
import dev.sparseinfer.engine.format.FloatTable;
import dev.sparseinfer.engine.format.LayerNormWeights;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.io.MappedModel;
import dev.sparseinfer.engine.io.safetensors.SafetensorsFile;
import dev.sparseinfer.engine.io.safetensors.SafetensorsWriter;
import dev.sparseinfer.engine.io.safetensors.TensorInfo;
import dev.sparseinfer.engine.model.bert.BertEmbeddings;
import dev.sparseinfer.engine.model.bert.BertEncoder;
import dev.sparseinfer.engine.model.bert.BertLayer;
import dev.sparseinfer.engine.model.bert.BertWeights;
import dev.sparseinfer.engine.testing.ReferenceBert;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.engine.testing.TinyBert;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfBertLoaderTest {

    @TempDir
    Path dir;

    @Test
    void opensFp32AndF16EmbeddingTablesAsViewsOfTheMappedFile() {
        long seed = Seeds.fresh();
        TinyBert model = TinyBert.write(dir, seed);

        try (MappedModel mapped = HfBertLoader.open(dir, "{}")) {
            FloatTable position = mapped.weights().embeddings().position();
            assertTrue(position.values().isMapped(), "the F32 position table is read from the file, not copied");
            assertArrayEquals(
                    model.tensors().get("embeddings.position_embeddings.weight"),
                    position.toMatrix().data(),
                    "seed " + seed);
            FloatTable word = mapped.weights().embeddings().word();
            assertTrue(word.values().isMapped(), "the F16 word table is read from the file too, widened as it is read");
            assertEquals(FloatTable.Encoding.F16, word.encoding());
            assertArrayEquals(
                    model.tensors().get("embeddings.word_embeddings.weight"),
                    word.toMatrix().data(),
                    "seed " + seed);
        }
    }

    @Test
    void embedsFromMappedHalfPrecisionTablesExactlyAsFromTheirFp32Copies() {
        long seed = Seeds.fresh();
        TinyBert.write(dir, seed);
        Random random = new Random(seed);
        int[][] ids = new int[3][];
        int[][] types = new int[3][];
        for (int s = 0; s < ids.length; s++) {
            ids[s] = random.ints(1 + random.nextInt(TinyBert.CONFIG.maxPositions()), 0, TinyBert.CONFIG.vocabSize())
                    .toArray();
            types[s] = random.ints(ids[s].length, 0, TinyBert.CONFIG.typeVocabSize())
                    .toArray();
        }
        TokenBatch batch = TokenBatch.pack(ids, types);

        try (MappedModel mapped = HfBertLoader.open(dir, "{}");
                CpuBackend backend = new CpuBackend(1)) {
            BertEmbeddings embeddings = mapped.weights().embeddings();
            assertEquals(FloatTable.Encoding.F16, embeddings.word().encoding());
            float[] fromMapping = embed(backend, embeddings, batch);
            float[] fromHeap = embed(backend, embeddings.onHeap(), batch);
            assertArrayEquals(fromHeap, fromMapping, "seed " + seed);
        }
    }

    private static float[] embed(CpuBackend backend, BertEmbeddings e, TokenBatch batch) {
        Activations out = backend.allocate(batch.tokens(), e.word().cols());
        backend.embed(
                batch,
                backend.prepareTable(e.word()),
                backend.prepareTable(e.position()),
                backend.prepareTable(e.tokenType()),
                out);
        return backend.read(out);
    }

    @Test
    void putsEveryTensorWhereTheEncoderExpectsIt() {
        long seed = Seeds.fresh();
        TinyBert model = TinyBert.write(dir, seed);

        BertWeights weights = HfBertLoader.load(dir);

        assertEquals(TinyBert.CONFIG, weights.config(), "seed " + seed);
        assertWeightsAre(model.tensors(), weights, "seed " + seed);
    }

    @Test
    void readsTheWrappedEncoderOfATaskModel() throws IOException {
        // BertForSequenceClassification and friends save the whole BertModel under "bert.", beside their heads.
        long seed = Seeds.fresh();
        TinyBert model = TinyBert.write(dir, seed);
        Path file = dir.resolve(HfBertLoader.SINGLE);
        rewrite(file, file, name -> true, name -> "bert." + name);

        assertWeightsAre(model.tensors(), HfBertLoader.load(dir), "seed " + seed);
    }

    @Test
    void loadsAShardedCheckpoint() throws IOException {
        long seed = Seeds.fresh();
        TinyBert model = TinyBert.write(dir, seed);
        Map<String, String> weightMap = shard(dir);

        assertFalse(Files.exists(dir.resolve(HfBertLoader.SINGLE)));
        assertTrue(weightMap.containsValue("model-00001-of-00002.safetensors"));
        assertTrue(weightMap.containsValue("model-00002-of-00002.safetensors"));
        assertWeightsAre(model.tensors(), HfBertLoader.load(dir), "seed " + seed);
    }

    @Test
    void namesAMissingConfig() throws IOException {
        TinyBert.write(dir, 1);
        Files.delete(dir.resolve("config.json"));
        assertFailsNaming("missing " + dir.resolve("config.json"));
    }

    @Test
    void namesAHeadCountThatDoesNotDivideTheHiddenSize() throws IOException {
        TinyBert.write(dir, 2);
        JsonObject config = JsonParser.parseString(Files.readString(dir.resolve("config.json")))
                .getAsJsonObject();
        config.addProperty("num_attention_heads", 5);
        Files.writeString(dir.resolve("config.json"), config.toString());
        assertFailsNaming(
                dir.resolve("config.json").toString(), "num_attention_heads (5) must divide hidden_size (12)");
    }

    @Test
    void namesAMissingTensor() throws IOException {
        TinyBert.write(dir, 3);
        Path file = dir.resolve("model.safetensors");
        String dropped = "encoder.layer.1.attention.self.key.weight";
        rewrite(file, file, name -> !name.equals(dropped), UnaryOperator.identity());
        assertFailsNaming(dir.toString(), "missing tensor '" + dropped + "'");
    }

    @Test
    void namesAMissingWeightsFile() throws IOException {
        TinyBert.write(dir, 4);
        Files.delete(dir.resolve("model.safetensors"));
        assertFailsNaming(dir.toString(), "missing model.safetensors");
    }

    @Test
    void namesAMissingShard() throws IOException {
        TinyBert.write(dir, 5);
        shard(dir);
        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
        assertFailsNaming(HfBertLoader.INDEX, "missing shard model-00002-of-00002.safetensors");
    }

    @Test
    void namesATensorTheIndexPutsInTheWrongShard() throws IOException {
        TinyBert.write(dir, 6);
        Map<String, String> weightMap = shard(dir);
        String moved = "encoder.layer.0.output.dense.bias";
        String wrongShard = weightMap.get(moved).contains("00001")
                ? "model-00002-of-00002.safetensors"
                : "model-00001-of-00002.safetensors";
        weightMap.put(moved, wrongShard);
        writeIndex(dir, weightMap);
        assertFailsNaming(wrongShard, "missing tensor '" + moved + "'");
    }

    @Test
    void refusesAShardOutsideTheModelDirectory() throws IOException {
        TinyBert.write(dir, 7);
        Map<String, String> weightMap = shard(dir);
        weightMap.put("encoder.layer.0.output.dense.bias", "../model-00001-of-00002.safetensors");
        writeIndex(dir, weightMap);
        assertFailsNaming(
                HfBertLoader.INDEX, "'../model-00001-of-00002.safetensors'", "not a file in the model directory");
    }

    @Test
    void namesAnIndexWithoutAWeightMap() throws IOException {
        TinyBert.write(dir, 8);
        shard(dir);
        Files.writeString(dir.resolve(HfBertLoader.INDEX), "{\"metadata\": {}}");
        assertFailsNaming(HfBertLoader.INDEX, "no \"weight_map\" object");
        Files.writeString(dir.resolve(HfBertLoader.INDEX), "{\"weight_map\": ");
        assertFailsNaming(HfBertLoader.INDEX, "not valid JSON");
    }

    @Test
    void aTinyBertDirectoryRunsLikeTheReferenceForwardPass() {
        long seed = Seeds.fresh();
        TinyBert model = TinyBert.write(dir, seed);
        Random random = new Random(seed);
        int[][] ids = new int[4][];
        int[][] types = new int[4][];
        for (int s = 0; s < ids.length; s++) {
            ids[s] = random.ints(
                            1 + random.nextInt(model.config().maxPositions()),
                            0,
                            model.config().vocabSize())
                    .toArray();
            types[s] = random.ints(ids[s].length, 0, model.config().typeVocabSize())
                    .toArray();
        }

        try (CpuBackend backend = new CpuBackend(2)) {
            float[][] actual = new BertEncoder(HfBertLoader.load(dir), backend)
                    .forward(TokenBatch.pack(ids, types), Pooling.MEAN, true);
            for (int s = 0; s < ids.length; s++) {
                double[] reference = ReferenceBert.embed(model.encoder(), ids[s], types[s]);
                for (int c = 0; c < reference.length; c++) {
                    assertEquals(
                            reference[c], actual[s][c], 2e-5, "text " + s + ", value " + c + " (seed=" + seed + ")");
                }
            }
        }
    }

    private static void assertWeightsAre(Map<String, float[]> expected, BertWeights w, String context) {
        assertArrayEquals(
                expected.get("embeddings.word_embeddings.weight"),
                w.embeddings().word().toMatrix().data(),
                context);
        assertArrayEquals(
                expected.get("embeddings.position_embeddings.weight"),
                w.embeddings().position().toMatrix().data(),
                context);
        assertArrayEquals(
                expected.get("embeddings.token_type_embeddings.weight"),
                w.embeddings().tokenType().toMatrix().data(),
                context);
        assertNorm(expected, "embeddings.LayerNorm", w.embeddings().norm(), context);
        assertEquals(TinyBert.CONFIG.layers(), w.layers().size(), context);
        for (int i = 0; i < w.layers().size(); i++) {
            String p = "encoder.layer." + i + ".";
            BertLayer layer = w.layers().get(i);
            assertLinear(expected, p + "attention.self.query", layer.query(), context);
            assertLinear(expected, p + "attention.self.key", layer.key(), context);
            assertLinear(expected, p + "attention.self.value", layer.value(), context);
            assertLinear(expected, p + "attention.output.dense", layer.attentionOutput(), context);
            assertNorm(expected, p + "attention.output.LayerNorm", layer.attentionNorm(), context);
            assertLinear(expected, p + "intermediate.dense", layer.intermediate(), context);
            assertLinear(expected, p + "output.dense", layer.output(), context);
            assertNorm(expected, p + "output.LayerNorm", layer.outputNorm(), context);
        }
    }

    private static void assertLinear(Map<String, float[]> expected, String name, Linear linear, String context) {
        assertArrayEquals(
                expected.get(name + ".weight"),
                ((DenseWeights) linear.weights()).matrix().data(),
                name + ", " + context);
        assertArrayEquals(expected.get(name + ".bias"), linear.bias(), name + ", " + context);
    }

    private static void assertNorm(Map<String, float[]> expected, String name, LayerNormWeights norm, String context) {
        assertArrayEquals(expected.get(name + ".weight"), norm.gamma(), name + ", " + context);
        assertArrayEquals(expected.get(name + ".bias"), norm.beta(), name + ", " + context);
    }

    private void assertFailsNaming(String... fragments) {
        SparseInferException e = assertThrows(SparseInferException.class, () -> HfBertLoader.load(dir));
        assertEquals(SparseInferException.Code.INVALID_MODEL, e.code(), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
        }
    }

    /**
     * Splits model.safetensors into two shards (the embeddings and layer 0, then the rest) with the index
     * transformers writes, and deletes the single file. Returns the weight map.
     */
    private static Map<String, String> shard(Path directory) throws IOException {
        Path single = directory.resolve(HfBertLoader.SINGLE);
        Predicate<String> first = name -> name.startsWith("embeddings.") || name.startsWith("encoder.layer.0.");
        rewrite(single, directory.resolve("model-00001-of-00002.safetensors"), first, UnaryOperator.identity());
        rewrite(
                single,
                directory.resolve("model-00002-of-00002.safetensors"),
                first.negate(),
                UnaryOperator.identity());
        Map<String, String> weightMap = new LinkedHashMap<>();
        try (SafetensorsFile file = SafetensorsFile.open(single)) {
            for (String name : file.tensors().keySet()) {
                weightMap.put(
                        name,
                        first.test(name) ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
            }
        }
        Files.delete(single);
        writeIndex(directory, weightMap);
        return weightMap;
    }

    private static void writeIndex(Path directory, Map<String, String> weightMap) throws IOException {
        JsonObject index = new JsonObject();
        JsonObject metadata = new JsonObject();
        metadata.addProperty("total_size", 123456);
        index.add("metadata", metadata);
        JsonObject map = new JsonObject();
        weightMap.forEach(map::addProperty);
        index.add("weight_map", map);
        Files.writeString(directory.resolve(HfBertLoader.INDEX), index.toString());
    }

    /** Copies the tensors {@code keep} accepts, renamed, byte for byte; {@code from} may be {@code to}. */
    private static void rewrite(Path from, Path to, Predicate<String> keep, UnaryOperator<String> rename) {
        SafetensorsWriter out = new SafetensorsWriter();
        try (SafetensorsFile in = SafetensorsFile.open(from)) {
            in.metadata().forEach(out::metadata);
            for (TensorInfo t : in.tensors().values()) {
                if (keep.test(t.name())) {
                    out.add(rename.apply(t.name()), t.dtype(), t.shape(), in.readBytes(t.name()));
                }
            }
        }
        out.write(to);
    }
}
