package dev.sparseinfer.engine.io.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.format.DenseWeights;
import dev.sparseinfer.engine.format.FloatMatrix;
import dev.sparseinfer.engine.format.FloatTable;
import dev.sparseinfer.engine.format.FloatTensor;
import dev.sparseinfer.engine.format.LayerNormWeights;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.io.MappedModel;
import dev.sparseinfer.engine.io.onnx.SyntheticBertOnnx.HeadCount;
import dev.sparseinfer.engine.io.onnx.SyntheticBertOnnx.Style;
import dev.sparseinfer.engine.model.bert.Architecture;
import dev.sparseinfer.engine.model.bert.BertCheckpoint;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.model.bert.BertWeights;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.Seeds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxBertLoaderTest {

    // 2 heads of 4; eps not Hugging Face's default, so the test shows it comes from the graph.
    private static final BertConfig CONFIG = new BertConfig(13, 8, 2, 2, 12, 7, 2, 1e-7, BertConfig.GELU);

    @TempDir
    Path dir;

    @Test
    void loadsTransposedWeightsHeadsAndEpsOfATorchExport() throws IOException {
        assertLoadsExactly(Style.TORCH_2_0, CONFIG);
    }

    @Test
    void readsHeadsFromAReshapeTargetStoredAsAnInitializer() throws IOException {
        assertLoadsExactly(Style.TORCH_2_0.withHeadCount(HeadCount.INITIALIZER_SHAPE), CONFIG);
    }

    @Test
    void namesAnonymousBiasesAfterTheScopeOfTheirMatMul() throws IOException {
        assertLoadsExactly(Style.TORCH_2_0.withAnonymousBiases(), CONFIG);
    }

    @Test
    void readsEpsFromAFusedLayerNormalization() throws IOException {
        BertConfig config = new BertConfig(13, 8, 2, 2, 12, 7, 2, 1e-6, BertConfig.GELU);
        assertLoadsExactly(Style.TORCH_2_0.withFusedLayerNorm(), config);
    }

    @Test
    void readsTheRobertaPositionsAGraphComputesAndItsPaddingIndex() throws IOException {
        BertConfig roberta = new BertConfig(Architecture.ROBERTA, 13, 8, 2, 2, 12, 9, 1, 1e-5, BertConfig.GELU, 3);
        assertLoadsExactly(Style.TORCH_2_0.withArchitecture(Architecture.ROBERTA), roberta);
    }

    @Test
    void readsADistilBertExportUnderItsOwnModuleNames() throws IOException {
        BertConfig distilBert =
                new BertConfig(Architecture.DISTILBERT, 13, 8, 2, 2, 12, 7, 1, 1e-12, BertConfig.GELU, 0);
        assertLoadsExactly(Style.TORCH_2_0.withArchitecture(Architecture.DISTILBERT), distilBert);
    }

    @Test
    void rejectsAMatMulWhoseWeightInitializerIsMissing() throws IOException {
        SparseInferException e = loadFails(synthetic(Style.TORCH_2_0.withMissingQueryWeight(), 1));
        assertTrue(
                e.getMessage().contains("'/encoder/layer.0/attention/self/query/MatMul' reads 'onnx::MatMul_787'")
                        && e.getMessage().contains("no initializer"),
                e.getMessage());
    }

    @Test
    void rejectsAGraphWithoutAHeadCount() throws IOException {
        SparseInferException e = loadFails(synthetic(Style.TORCH_2_0.withHeadCount(HeadCount.COMPUTED_SHAPE), 1));
        assertTrue(e.getMessage().contains("cannot find the number of attention heads"), e.getMessage());
    }

    @Test
    void rejectsATruncatedFile() throws IOException {
        byte[] whole = Files.readAllBytes(synthetic(Style.TORCH_2_0, 1));
        Path file = write(Arrays.copyOf(whole, whole.length / 2));
        SparseInferException e = loadFails(file);
        assertTrue(e.getMessage().contains("remain"), e.getMessage());
    }

    @Test
    void rejectsANestedLengthPrefixPointingPastItsMessage() throws IOException {
        // A graph of 6 bytes whose one node claims 50.
        ProtoWriter graph =
                new ProtoWriter().tag(1, ProtoReader.LEN).rawVarint(50).raw(new byte[4]);
        SparseInferException e =
                loadFails(write(new ProtoWriter().message(7, graph).toByteArray()));
        assertTrue(e.getMessage().contains("claims 50 bytes but only 4 remain"), e.getMessage());
    }

    @Test
    void rejectsAHugeLengthWithoutAllocatingIt() throws IOException {
        byte[] model = new ProtoWriter()
                .tag(7, ProtoReader.LEN)
                .rawVarint(-1L)
                .raw(new byte[16])
                .toByteArray();
        SparseInferException e = loadFails(write(model));
        assertTrue(e.getMessage().contains("claims 18446744073709551615 bytes"), e.getMessage());
    }

    @Test
    void rejectsAFileWithoutAGraph() throws IOException {
        SparseInferException e = loadFails(write(new ProtoWriter().varint(1, 8).toByteArray()));
        assertTrue(e.getMessage().contains("no graph"), e.getMessage());
    }

    @Test
    void failsOnCorruptedFilesOnlyWithInvalidModel() throws IOException {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        byte[] good = SyntheticBertOnnx.write(RandomBert.tensors(CONFIG, random), CONFIG, Style.TORCH_2_0);
        for (int i = 0; i < 300; i++) {
            byte[] bad = good.clone();
            for (int k = random.nextInt(1, 5); k > 0; k--) {
                bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
            }
            Path file = write(random.nextBoolean() ? bad : Arrays.copyOf(bad, random.nextInt(bad.length)));
            try {
                OnnxBertLoader.load(file); // a flipped byte inside a weight still makes a valid model
            } catch (SparseInferException e) {
                assertEquals(
                        SparseInferException.Code.INVALID_MODEL,
                        e.code(),
                        "case " + i + ": " + e.getMessage() + " (seed=" + seed + ")");
            } catch (RuntimeException e) {
                fail("case " + i + " threw " + e + " (seed=" + seed + ")", e);
            }
        }
    }

    @Test
    void opensTheEmbeddingTablesAsViewsOfTheMappedFile() throws IOException {
        long seed = Seeds.fresh();
        Map<String, FloatTensor> tensors = RandomBert.tensors(CONFIG, new Random(seed));
        Path file = write(SyntheticBertOnnx.write(tensors, CONFIG, Style.TORCH_2_0));

        try (MappedModel model = OnnxBertLoader.open(file, "{}")) {
            FloatTable word = model.weights().embeddings().word();
            assertTrue(word.values().isMapped(), "the word table is read from the file, not copied");
            assertArrayEquals(
                    tensors.get("embeddings.word_embeddings.weight").data(),
                    word.toMatrix().data(),
                    "seed " + seed);
            assertFalse(
                    model.inMemory().weights().embeddings().word().values().isNative(), "in memory, it is on the heap");
        }
    }

    private void assertLoadsExactly(Style style, BertConfig config) throws IOException {
        long seed = Seeds.fresh();
        Map<String, FloatTensor> tensors = new LinkedHashMap<>(RandomBert.tensors(config, new Random(seed)));
        if (config.architecture() == Architecture.DISTILBERT) {
            // It has no token types: the loader gives it the zero row it runs with.
            String types = "embeddings.token_type_embeddings.weight";
            tensors.put(
                    types, new FloatTensor(types, new int[] {1, config.hiddenSize()}, new float[config.hiddenSize()]));
        }
        Path file = write(SyntheticBertOnnx.write(tensors, config, style));
        BertWeights expected = BertCheckpoint.toWeights(tensors, config, "expected");

        BertWeights actual = OnnxBertLoader.load(file);

        String context = style + " (seed=" + seed + ")";
        assertEquals(config, actual.config(), context);
        assertArrayEquals(
                expected.embeddings().word().toMatrix().data(),
                actual.embeddings().word().toMatrix().data(),
                context);
        assertArrayEquals(
                expected.embeddings().position().toMatrix().data(),
                actual.embeddings().position().toMatrix().data(),
                context);
        assertArrayEquals(
                expected.embeddings().tokenType().toMatrix().data(),
                actual.embeddings().tokenType().toMatrix().data(),
                context);
        assertSameNorm(expected.embeddings().norm(), actual.embeddings().norm(), context);
        for (int layer = 0; layer < config.layers(); layer++) {
            var e = expected.layers().get(layer);
            var a = actual.layers().get(layer);
            for (int i = 0; i < e.linears().size(); i++) {
                Linear el = e.linears().get(i);
                Linear al = a.linears().get(i);
                String where = el.name() + " " + context;
                assertEquals(el.name(), al.name(), where);
                FloatMatrix em = matrix(el);
                FloatMatrix am = matrix(al);
                assertEquals(em.rows(), am.rows(), where);
                assertArrayEquals(em.data(), am.data(), where);
                assertArrayEquals(el.bias(), al.bias(), where);
            }
            assertSameNorm(e.attentionNorm(), a.attentionNorm(), context);
            assertSameNorm(e.outputNorm(), a.outputNorm(), context);
        }
    }

    private static void assertSameNorm(LayerNormWeights expected, LayerNormWeights actual, String context) {
        assertArrayEquals(expected.gamma(), actual.gamma(), expected.name() + " " + context);
        assertArrayEquals(expected.beta(), actual.beta(), expected.name() + " " + context);
    }

    private static FloatMatrix matrix(Linear linear) {
        return assertInstanceOf(DenseWeights.class, linear.weights()).matrix();
    }

    private Path synthetic(Style style, long seed) throws IOException {
        return write(SyntheticBertOnnx.write(RandomBert.tensors(CONFIG, new Random(seed)), CONFIG, style));
    }

    private Path write(byte[] bytes) throws IOException {
        Path file = Files.createTempFile(dir, "model", ".onnx");
        Files.write(file, bytes);
        return file;
    }

    private static SparseInferException loadFails(Path file) {
        SparseInferException e = assertThrows(SparseInferException.class, () -> OnnxBertLoader.load(file));
        assertEquals(SparseInferException.Code.INVALID_MODEL, e.code(), e.getMessage());
        assertTrue(e.getMessage().startsWith(file + ": "), "message names the file: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }
}
