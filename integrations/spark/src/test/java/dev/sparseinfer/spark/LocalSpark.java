package dev.sparseinfer.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.Embedding;
import dev.sparseinfer.engine.api.EmbeddingModel;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.models.ModelRegistry;
import dev.sparseinfer.models.calibration.CalibrationSet;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The tests' Spark: one local[2] session per test JVM, bound to the loopback address; their texts; and the engine's
 * own embeddings of them, from a model opened apart from the integration's.
 */
final class LocalSpark {

    /** The options every test embeds with, so the transformer and the SQL function share one executor model. */
    static final ModelOptions OPTIONS =
            ModelOptions.defaults().withBackend(BackendKind.CPU).withThreads(1).withBatchSize(8);

    private static List<Embedding> heldOutEmbeddings;

    private LocalSpark() {}

    /** Two task slots, so two tasks share each executor model at once. Spark stops it when the JVM exits. */
    static SparkSession session() {
        return SparkSession.builder()
                .master("local[2]")
                .appName("sparseinfer-test")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
    }

    /**
     * The shipped held-out texts with nulls, empty and blank strings among them, at the start, in the middle and at
     * the end, so some batches hold only some of them.
     */
    static List<String> heldOutWithGaps() {
        List<String> texts = new ArrayList<>(CalibrationSet.heldOutTexts());
        texts.add(0, null);
        texts.add(7, "");
        texts.add(8, null);
        texts.add(100, " ");
        texts.add(101, null);
        texts.add(102, null);
        texts.add(103, null);
        texts.add("");
        texts.add(null);
        return texts;
    }

    /** The engine's embeddings of the non-null texts of {@link #heldOutWithGaps()}, in order. */
    static synchronized List<Embedding> heldOutEmbeddings() {
        if (heldOutEmbeddings == null) {
            try (EmbeddingModel engine =
                    EmbeddingModel.open(ModelRegistry.standard().resolve("minilm"), OPTIONS)) {
                heldOutEmbeddings = engine.embed(nonNull(heldOutWithGaps()));
            }
        }
        return heldOutEmbeddings;
    }

    /** Rows {@code (id, text)}, id being the text's index, over a number of partitions. */
    static Dataset<Row> texts(SparkSession spark, List<String> texts, int partitions) {
        List<Row> rows = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            rows.add(RowFactory.create(i, texts.get(i)));
        }
        StructType schema =
                new StructType().add("id", DataTypes.IntegerType, false).add("text", DataTypes.StringType, true);
        return spark.createDataFrame(rows, schema).repartition(partitions);
    }

    /**
     * Each text's vector matches the engine's (its embeddings of the non-null texts, in order) to a cosine of
     * 0.999999; a null text has a null vector.
     */
    static void assertEmbeddedAsTheEngineDoes(List<String> texts, List<float[]> actual, List<Embedding> expected) {
        assertEquals(texts.size(), actual.size());
        int next = 0;
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i) == null) {
                assertNull(actual.get(i), "row " + i + " has a null text but an embedding");
                continue;
            }
            float[] want = expected.get(next++).vector();
            float[] got = actual.get(i);
            assertNotNull(got, "row " + i + " has no embedding");
            assertEquals(want.length, got.length, "row " + i);
            double cosine = cosine(want, got);
            assertTrue(cosine >= 0.999999, "row " + i + " ('" + texts.get(i) + "') cosine " + cosine);
        }
    }

    /** The non-null texts, in order: what the engine embeds for comparison. */
    static List<String> nonNull(List<String> texts) {
        return texts.stream().filter(t -> t != null).toList();
    }

    static float[] floats(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double normA = 0;
        double normB = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            normA += (double) a[i] * a[i];
            normB += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(normA * normB);
    }
}
