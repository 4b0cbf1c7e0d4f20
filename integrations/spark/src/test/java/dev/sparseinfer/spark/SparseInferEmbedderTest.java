package dev.sparseinfer.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.Embedding;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.models.ModelRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparseInferEmbedderTest {

    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = LocalSpark.session();
    }

    @Test
    void embedsTheHeldOutTextsAsTheEngineDoesAndKeepsNullsNull() {
        List<String> texts = LocalSpark.heldOutWithGaps();
        Dataset<Row> embedded = embedder().transform(LocalSpark.texts(spark, texts, 4));

        assertEquals(
                new ArrayType(DataTypes.FloatType, false),
                embedded.schema().apply("embedding").dataType());
        List<Row> rows = sortedById(embedded);
        List<float[]> vectors = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            assertEquals(i, row.getInt(0));
            assertEquals(texts.get(i), row.getString(1), "the input columns pass through");
            vectors.add(row.isNullAt(2) ? null : LocalSpark.floats(row.getList(2)));
        }
        LocalSpark.assertEmbeddedAsTheEngineDoes(texts, vectors, LocalSpark.heldOutEmbeddings());
    }

    @Test
    void writesMlVectorsOnRequest() {
        List<String> texts = LocalSpark.heldOutWithGaps().subList(0, 40);
        List<Embedding> expected = LocalSpark.heldOutEmbeddings()
                .subList(0, LocalSpark.nonNull(texts).size());
        Dataset<Row> embedded = embedder()
                .setOutputType("vector")
                .setOutputCol("features")
                .transform(LocalSpark.texts(spark, texts, 2));

        List<float[]> vectors = new ArrayList<>();
        for (Row row : sortedById(embedded)) {
            vectors.add(row.isNullAt(2) ? null : floats(row.<Vector>getAs("features")));
        }
        LocalSpark.assertEmbeddedAsTheEngineDoes(texts, vectors, expected);
    }

    @Test
    void opensTheModelOncePerExecutorJvm() {
        ModelSettings settings = ModelSettings.of("minilm", LocalSpark.OPTIONS);
        List<String> texts = LocalSpark.heldOutWithGaps().subList(0, 60);

        long rows = embedder().transform(LocalSpark.texts(spark, texts, 6)).count();

        assertEquals(texts.size(), rows);
        // Every test of this JVM embeds with these settings: however many ran before, the model was opened once.
        assertEquals(1, SharedModels.opens(settings), "six tasks on two slots, one JVM");
    }

    @Test
    void findsAModelShippedToTheExecutorsByName() {
        // What spark-submit --files does: the files land in Spark's files directory, and the model is named by file.
        Path onnx = ModelRegistry.standard().resolve("minilm");
        spark.sparkContext().addFile(onnx.toString());
        spark.sparkContext()
                .addFile(onnx.resolveSibling(onnx.getFileName().toString().replace(".onnx", "-tokenizer.json"))
                        .toString());
        List<String> texts = LocalSpark.heldOutWithGaps().subList(0, 12);

        Dataset<Row> embedded =
                embedder().setModel(onnx.getFileName().toString()).transform(LocalSpark.texts(spark, texts, 2));

        List<float[]> vectors = new ArrayList<>();
        for (Row row : sortedById(embedded)) {
            vectors.add(row.isNullAt(2) ? null : LocalSpark.floats(row.getList(2)));
        }
        LocalSpark.assertEmbeddedAsTheEngineDoes(
                texts,
                vectors,
                LocalSpark.heldOutEmbeddings()
                        .subList(0, LocalSpark.nonNull(texts).size()));
    }

    @Test
    void savesAndLoadsItsParams(@TempDir Path dir) throws IOException {
        SparseInferEmbedder saved = embedder()
                .setInputCol("body")
                .setOutputCol("vec")
                .setPooling("cls")
                .setPromptName("query")
                .setOutputType("vector");
        saved.save(dir.resolve("embedder").toString());

        SparseInferEmbedder loaded =
                SparseInferEmbedder.load(dir.resolve("embedder").toString());

        assertEquals(saved.uid(), loaded.uid());
        assertEquals(
                saved.extractParamMap().toString(), loaded.extractParamMap().toString());
        assertEquals("body", loaded.getInputCol());
        assertEquals(LocalSpark.OPTIONS.batchSize(), loaded.getOrDefault(loaded.batchSize()));
    }

    @Test
    void refusesACorruptModelOnTheDriverInOneLine(@TempDir Path dir) throws IOException {
        Path broken = Files.write(dir.resolve("broken.safetensors"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        Dataset<Row> texts = LocalSpark.texts(spark, List.of("some text"), 1);

        // transform() only plans the job: an exception from it means no task ever ran.
        SparseInferException e = assertThrows(
                SparseInferException.class,
                () -> embedder().setModel(broken.toString()).transform(texts));

        assertEquals(SparseInferException.Code.INVALID_MODEL, e.code());
        assertTrue(e.getMessage().contains("broken.safetensors"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void refusesAnUnknownModelInOneLine() {
        Dataset<Row> texts = LocalSpark.texts(spark, List.of("some text"), 1);

        SparseInferException e = assertThrows(
                SparseInferException.class,
                () -> embedder().setModel("no-such-model").transform(texts));

        assertTrue(
                e.getMessage()
                        .startsWith(
                                "unknown model 'no-such-model': not a built-in model, no such file on this machine"),
                e.getMessage());
    }

    @Test
    void refusesAColumnThatIsNotText() {
        Dataset<Row> texts = LocalSpark.texts(spark, List.of("some text"), 1);

        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> embedder().setInputCol("id").transform(texts));

        assertEquals("input column 'id' must be a string, not int", e.getMessage());
    }

    @Test
    void refusesToRunWithoutAModel() {
        Dataset<Row> texts = LocalSpark.texts(spark, List.of("some text"), 1);

        SparseInferException e =
                assertThrows(SparseInferException.class, () -> new SparseInferEmbedder().transform(texts));

        assertEquals("no model set: setModel takes a built-in name such as minilm, or a model file", e.getMessage());
    }

    private static SparseInferEmbedder embedder() {
        return new SparseInferEmbedder()
                .setInputCol("text")
                .setOutputCol("embedding")
                .setModel("minilm")
                .setBackend("cpu")
                .setThreads(1)
                .setBatchSize(LocalSpark.OPTIONS.batchSize());
    }

    private static List<Row> sortedById(Dataset<Row> rows) {
        List<Row> list = new ArrayList<>(rows.collectAsList());
        list.sort(Comparator.comparingInt(r -> r.getInt(0)));
        return list;
    }

    private static float[] floats(Vector vector) {
        double[] values = vector.toArray();
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}
