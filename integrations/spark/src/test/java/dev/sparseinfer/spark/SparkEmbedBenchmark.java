package dev.sparseinfer.spark;

import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.EmbeddingModel;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.models.ModelRegistry;
import dev.sparseinfer.models.calibration.CalibrationSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Texts per second of the engine's own embed loop (1 and 2 threads) against the transformer in local[1] and
 * local[2] and the SQL function in local[2], on the held-out texts repeated to a count, the configurations taken in
 * turn in each round, in one JVM. Not a test: run it with {@code -Pspark-bench} (docs/spark.md).
 *
 * <p>Usage: {@code SparkEmbedBenchmark [TEXTS] [ROUNDS] [PARTITIONS] [MODEL]} (default 100000 1 8 minilm); MODEL
 * is a built-in name or a model file.
 */
public final class SparkEmbedBenchmark {

    private static final int BATCH_SIZE = 32;

    private SparkEmbedBenchmark() {}

    public static void main(String[] args) {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int partitions = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        String model = args.length > 3 ? args[3] : "minilm";
        List<String> texts = repeatHeldOut(count);
        ModelOptions options = ModelOptions.defaults()
                .withBackend(BackendKind.CPU)
                .withThreads(1)
                .withBatchSize(BATCH_SIZE);
        ModelSettings settings = ModelSettings.of(model, options);
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        int tasks = 0;

        try (EmbeddingModel one = EmbeddingModel.open(ModelRegistry.standard().resolve(model), options);
                EmbeddingModel two =
                        EmbeddingModel.open(ModelRegistry.standard().resolve(model), options.withThreads(2))) {
            one.embed(texts.subList(0, Math.min(texts.size(), 500))); // JIT warm-up
            for (int round = 0; round < rounds; round++) {
                record(rates, "engine embed loop, 1 thread", count, time(() -> one.embed(texts)));
                record(rates, "engine embed loop, 2 threads", count, time(() -> two.embed(texts)));
                for (String master : List.of("local[1]", "local[2]")) {
                    SparkSession spark = session(master);
                    Dataset<Row> frame = frame(spark, texts, partitions);
                    SparseInferEmbedder embedder = new SparseInferEmbedder()
                            .setModel(model)
                            .setBackend("cpu")
                            .setBatchSize(BATCH_SIZE);
                    int before = SharedModels.opens(settings);
                    embedder.transform(frame.limit(BATCH_SIZE))
                            .write()
                            .format("noop")
                            .mode("overwrite")
                            .save(); // Spark's code generation warm-up
                    record(
                            rates,
                            "Spark " + master + ", transformer (" + partitions + " tasks, 1 thread each)",
                            count,
                            time(() -> embedder.transform(frame)
                                    .write()
                                    .format("noop")
                                    .mode("overwrite")
                                    .save()));
                    tasks += partitions;
                    if (master.equals("local[2]")) {
                        SparseInferFunctions.register(spark, model, options);
                        frame.createOrReplaceTempView("texts");
                        record(
                                rates,
                                "Spark " + master + ", SQL sparseinfer_embed (one text per call)",
                                count,
                                time(() -> spark.sql("SELECT sparseinfer_embed(text) FROM texts")
                                        .write()
                                        .format("noop")
                                        .mode("overwrite")
                                        .save()));
                        tasks += partitions;
                    }
                    System.err.printf(
                            "round %d %s: models opened in this JVM during the session: %d%n",
                            round + 1, master, SharedModels.opens(settings) - before);
                    spark.stop();
                }
            }
        }

        System.out.printf(
                "%s, %d texts (the %d held-out texts repeated), batch %d, %d round(s), CPU backend%n",
                model, count, CalibrationSet.heldOutTexts().size(), BATCH_SIZE, rounds);
        System.out.println();
        System.out.println("| configuration | texts/s (best round) | vs engine, 1 thread |");
        System.out.println("| --- | ---: | ---: |");
        double base = best(rates.get("engine embed loop, 1 thread"));
        rates.forEach((name, values) ->
                System.out.printf("| %s | %.1f | %.2f× |%n", name, best(values), best(values) / base));
        System.out.println();
        System.out.printf(
                "Model opens in this JVM (driver and local executor): %d, for %d Spark tasks%n",
                SharedModels.opens(settings), tasks);
    }

    private static List<String> repeatHeldOut(int count) {
        List<String> heldOut = CalibrationSet.heldOutTexts();
        List<String> texts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            texts.add(heldOut.get(i % heldOut.size()));
        }
        return texts;
    }

    private static SparkSession session(String master) {
        return SparkSession.builder()
                .master(master)
                .appName("sparseinfer-bench")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
    }

    /** The texts in partitions, cached, so the timed jobs embed and do nothing else. */
    private static Dataset<Row> frame(SparkSession spark, List<String> texts, int partitions) {
        List<Row> rows = new ArrayList<>(texts.size());
        for (String text : texts) {
            rows.add(RowFactory.create(text));
        }
        Dataset<Row> frame = spark.createDataFrame(rows, new StructType().add("text", DataTypes.StringType))
                .repartition(partitions)
                .cache();
        frame.count();
        return frame;
    }

    private static double time(Runnable run) {
        long start = System.nanoTime();
        run.run();
        return (System.nanoTime() - start) / 1e9;
    }

    private static void record(Map<String, List<Double>> rates, String name, int count, double seconds) {
        rates.computeIfAbsent(name, n -> new ArrayList<>()).add(count / seconds);
        System.err.printf("%s: %.1f s, %.1f texts/s%n", name, seconds, count / seconds);
    }

    private static double best(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    }
}
