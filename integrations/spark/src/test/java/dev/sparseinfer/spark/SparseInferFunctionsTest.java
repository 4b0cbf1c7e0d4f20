package dev.sparseinfer.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sparseinfer.engine.api.EmbeddingModel;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.models.ModelRegistry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

class SparseInferFunctionsTest {

    @Test
    void embedsTheHeldOutTextsThroughSqlAsTheEngineDoes() {
        SparkSession spark = LocalSpark.session();
        List<String> texts = LocalSpark.heldOutWithGaps();
        LocalSpark.texts(spark, texts, 4).createOrReplaceTempView("held_out");

        SparseInferFunctions.register(spark, "minilm", LocalSpark.OPTIONS);
        var embedded = spark.sql("SELECT id, sparseinfer_embed(text) AS embedding FROM held_out");

        assertEquals(
                new ArrayType(DataTypes.FloatType, false),
                embedded.schema().apply("embedding").dataType());
        List<Row> rows = new ArrayList<>(embedded.collectAsList());
        rows.sort(Comparator.comparingInt(r -> r.getInt(0)));
        List<float[]> vectors = new ArrayList<>();
        for (Row row : rows) {
            vectors.add(row.isNullAt(1) ? null : LocalSpark.floats(row.getList(1)));
        }
        try (EmbeddingModel engine =
                EmbeddingModel.open(ModelRegistry.standard().resolve("minilm"), LocalSpark.OPTIONS)) {
            LocalSpark.assertEmbeddedAsTheEngineDoes(texts, vectors, engine.embed(LocalSpark.nonNull(texts)));
        }
        assertEquals(1, SharedModels.opens(ModelSettings.of("minilm", LocalSpark.OPTIONS)));
    }

    @Test
    void refusesAnUnknownModelWhenRegistering() {
        SparkSession spark = LocalSpark.session();

        SparseInferException e = assertThrows(
                SparseInferException.class,
                () -> SparseInferFunctions.register(spark, "no-such-model", LocalSpark.OPTIONS));

        assertEquals(SparseInferException.Code.INVALID_ARGUMENT, e.code());
    }
}
