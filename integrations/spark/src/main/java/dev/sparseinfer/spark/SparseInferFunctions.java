package dev.sparseinfer.spark;

import dev.sparseinfer.engine.api.ModelOptions;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;

/**
 * Registers the SQL function {@code sparseinfer_embed(text)}: a string's embedding as {@code array<float>}, null for
 * a null string.
 *
 * <pre>{@code
 * SparseInferFunctions.register(spark, "minilm");
 * spark.sql("SELECT id, sparseinfer_embed(body) AS embedding FROM docs");
 * }</pre>
 *
 * It embeds one text per call, as SQL functions are called; the {@link SparseInferEmbedder} transformer batches a
 * partition's texts and is the faster way to embed a whole column. Executors share one model per JVM with the
 * transformer's.
 */
public final class SparseInferFunctions {

    /** The name the function is registered under. */
    public static final String EMBED = "sparseinfer_embed";

    private SparseInferFunctions() {}

    /**
     * Registers {@code sparseinfer_embed} for a model, with the options' defaults and as many threads per executor
     * model as {@code spark.task.cpus}; the driver opens the model first where it can reach it.
     *
     * @throws dev.sparseinfer.engine.api.SparseInferException if the driver finds the model missing or malformed
     */
    public static void register(SparkSession spark, String model) {
        register(spark, model, ModelOptions.defaults().withThreads(TaskThreads.defaultThreads(spark)));
    }

    /**
     * Registers {@code sparseinfer_embed} for a model opened with exactly these options on each executor.
     *
     * @throws dev.sparseinfer.engine.api.SparseInferException if the driver finds the model missing or malformed
     */
    public static void register(SparkSession spark, String model, ModelOptions options) {
        ModelSettings settings = ModelSettings.of(model, options);
        DriverCheck.check(spark, settings);
        spark.udf().register(EMBED, new EmbedText(settings), OutputType.ARRAY.dataType());
    }

    /** The function's body: one text through the executor's shared model. */
    private record EmbedText(ModelSettings settings) implements UDF1<String, float[]> {

        @Override
        public float[] call(String text) {
            return text == null ? null : SharedModels.get(settings).embed(text).vector();
        }
    }
}
