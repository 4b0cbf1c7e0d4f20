package dev.sparseinfer.engine.io.packed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.format.LayerNormWeights;
import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.io.safetensors.DType;
import dev.sparseinfer.engine.io.safetensors.SafetensorsFile;
import dev.sparseinfer.engine.io.safetensors.SafetensorsWriter;
import dev.sparseinfer.engine.io.safetensors.TensorInfo;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.model.bert.BertEmbeddings;
import dev.sparseinfer.engine.model.bert.BertWeights;
import dev.sparseinfer.engine.testing.MalformedInput;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.engine.testing.TableQuantisation;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Packed files written with int8 embedding tables: what they hold, how they load, and how bad ones are refused. */
class PackedInt8TablesTest {

    /** Odd table sizes throughout: 37 words, 13 wide, 11 positions, 3 token types. */
    private static final BertConfig CONFIG = new BertConfig(37, 13, 1, 1, 7, 11, 3, 1e-12, BertConfig.GELU);

    private static final String WORD = "embeddings.word_embeddings.weight";

    @TempDir
    Path dir;

    @Test
    void tablesLoadWithinHalfARowScaleOfTheWrittenOnes() {
        long seed = Seeds.fresh();
        LoadedModel written = model(new Random(seed));
        Path file = dir.resolve("int8.safetensors");
        PackedModel.write(written, "{}", TableFormat.INT8, file);

        LoadedModel read = PackedModel.load(file);

        String context = "seed=" + seed;
        BertEmbeddings a = written.weights().embeddings();
        BertEmbeddings b = read.weights().embeddings();
        TableQuantisation.assertWithinHalfAScale(a.word(), b.word(), context + " word");
        TableQuantisation.assertWithinHalfAScale(a.position(), b.position(), context + " position");
        TableQuantisation.assertWithinHalfAScale(a.tokenType(), b.tokenType(), context + " token type");
        assertFalse(b.word().values().isNative(), "dequantised into a heap table");
        assertEquals(PackedModel.INT8_TABLES_VERSION, read.metadata().get(PackedModel.FORMAT_KEY));
        assertEquals("int8", read.metadata().get(PackedModel.TABLES_KEY));
        LayerNormWeights norm = a.norm();
        assertArrayEquals(norm.gamma(), b.norm().gamma(), "the LayerNorm stays fp32 " + context);
    }

    @Test
    void storesEachTableAsInt8WithOneScalePerRowAndDigestsThem() {
        Path file = dir.resolve("int8.safetensors");
        PackedModel.write(model(new Random(Seeds.fresh())), "{}", TableFormat.INT8, file);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertFalse(f.has(WORD), "no fp32 word table");
            assertEquals(DType.I8, f.info(WORD + ".int8").dtype());
            assertArrayEquals(new int[] {37, 13}, f.info(WORD + ".int8").shape());
            assertEquals(DType.F32, f.info(WORD + ".scale").dtype());
            assertArrayEquals(new int[] {37}, f.info(WORD + ".scale").shape());
            assertArrayEquals(
                    new int[] {11},
                    f.info("embeddings.position_embeddings.weight.scale").shape());
            assertArrayEquals(
                    new int[] {3},
                    f.info("embeddings.token_type_embeddings.weight.scale").shape());
            TensorDigests.Report report = TensorDigests.check(f);
            assertEquals(f.tensors().size(), report.checked(), "every tensor, the int8 tables' too, has a digest");
            assertTrue(report.mismatched().isEmpty());
        }
    }

    @Test
    void fp32TablesStayTheFormatOlderReadersOpen() {
        Path file = dir.resolve("fp32.safetensors");
        PackedModel.write(model(new Random(Seeds.fresh())), "{}", file);
        LoadedModel read = PackedModel.load(file);
        assertEquals(PackedModel.FORMAT_VERSION, read.metadata().get(PackedModel.FORMAT_KEY));
        assertEquals("fp32", read.metadata().get(PackedModel.TABLES_KEY));
    }

    @Test
    void scalesThatDoNotMatchTheTableAreOneLineBadModelErrors() {
        Path good = dir.resolve("int8.safetensors");
        PackedModel.write(model(new Random(Seeds.fresh())), "{}", TableFormat.INT8, good);

        Path shortScales = rewritten(good, "short.safetensors", Map.of(), WORD + ".scale", new float[36]);
        assertRefused(shortScales, "36 scales for 37 rows");
        Path nanScale = rewritten(good, "nan.safetensors", Map.of(), WORD + ".scale", nanAt(37, 5));
        assertRefused(nanScale, "int8 scale of row 5 is NaN");
    }

    @Test
    void aVersionThatDisagreesWithTheTablesIsRefused() {
        Path int8 = dir.resolve("int8.safetensors");
        PackedModel.write(model(new Random(Seeds.fresh())), "{}", TableFormat.INT8, int8);
        Path fp32 = dir.resolve("fp32.safetensors");
        PackedModel.write(model(new Random(Seeds.fresh())), "{}", fp32);

        assertRefused(
                rewritten(int8, "v1-int8.safetensors", Map.of(PackedModel.FORMAT_KEY, "1"), null, null),
                "version 1 cannot hold int8 embedding tables");
        assertRefused(
                rewritten(fp32, "v2-fp32.safetensors", Map.of(PackedModel.FORMAT_KEY, "2"), null, null),
                "version 2 cannot hold fp32 embedding tables");
        assertRefused(
                rewritten(int8, "v3.safetensors", Map.of(PackedModel.FORMAT_KEY, "3"), null, null),
                "packed format version 3 is not supported");
        assertRefused(
                rewritten(int8, "int4.safetensors", Map.of(PackedModel.TABLES_KEY, "int4"), null, null),
                "unknown embedding table format 'int4'");
    }

    private static void assertRefused(Path file, String expected) {
        SparseInferException e = assertThrows(SparseInferException.class, () -> PackedModel.load(file));
        MalformedInput.requireDeclared(e, file);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static float[] nanAt(int length, int index) {
        float[] scales = new float[length];
        scales[index] = Float.NaN;
        return scales;
    }

    /**
     * A copy of {@code source} with metadata entries changed and, if named, one F32 tensor replaced, its digests
     * recorded afresh: a file that is intact as bytes but wrong as a model, so the format reader is what refuses it.
     */
    private Path rewritten(Path source, String name, Map<String, String> metadata, String tensor, float[] replacement) {
        Path target = dir.resolve(name);
        try (SafetensorsFile f = SafetensorsFile.open(source)) {
            SafetensorsWriter out = new SafetensorsWriter().recordSha256(TensorDigests.KEY);
            f.metadata().forEach((k, v) -> {
                if (!k.equals(TensorDigests.KEY)) {
                    out.metadata(k, metadata.getOrDefault(k, v));
                }
            });
            for (TensorInfo info : f.tensors().values()) {
                if (info.name().equals(tensor)) {
                    out.addF32(tensor, new int[] {replacement.length}, replacement);
                } else {
                    out.add(info.name(), info.dtype(), info.shape(), f.readBytes(info.name()));
                }
            }
            out.write(target);
        }
        return target;
    }

    /** A random model whose tables' rows span very different ranges, so only per-row scales keep them close. */
    private static LoadedModel model(Random random) {
        BertWeights w = RandomBert.weights(CONFIG, random);
        BertEmbeddings e = w.embeddings();
        BertEmbeddings tables = new BertEmbeddings(
                TableQuantisation.randomTable(random, CONFIG.vocabSize(), CONFIG.hiddenSize()),
                TableQuantisation.randomTable(random, CONFIG.maxPositions(), CONFIG.hiddenSize()),
                TableQuantisation.randomTable(random, CONFIG.typeVocabSize(), CONFIG.hiddenSize()),
                e.norm());
        return new LoadedModel(new BertWeights(CONFIG, tables, w.layers()), "{}", "random");
    }
}
