package dev.sparseinfer.examples.spark;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.spark.SparseInferEmbedder;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A Spark job that embeds a column of text and writes Parquet: the input's rows, each with its embedding.
 *
 * <p>Usage: {@code EmbedCorpus --input PATH --output PATH [--format text|parquet] [--column text] [--model minilm]
 * [--batch-size 32] [--threads N] [--partitions N]}. A text input is one text per line, in a column named
 * {@code text}; a Parquet input is embedded from {@code --column}. The master and the executors' resources come from
 * {@code spark-submit}.
 */
public final class EmbedCorpus {

    private static final Set<String> OPTIONS = Set.of(
            "--input", "--output", "--format", "--column", "--model", "--batch-size", "--threads", "--partitions");

    private EmbedCorpus() {}

    public static void main(String[] args) {
        Map<String, String> options = parse(args);
        if (options == null || !options.containsKey("--input") || !options.containsKey("--output")) {
            System.err.println("usage: EmbedCorpus --input PATH --output PATH [--format text|parquet] [--column text]"
                    + " [--model minilm] [--batch-size 32] [--threads N] [--partitions N]");
            System.exit(2);
        }
        String column = options.getOrDefault("--column", "text");
        SparkSession spark =
                SparkSession.builder().appName("sparseinfer-embed-corpus").getOrCreate();
        int status = 0;
        try {
            Dataset<Row> texts = switch (options.getOrDefault("--format", "text")) {
                case "text" -> spark.read().text(options.get("--input")).withColumnRenamed("value", column);
                case "parquet" -> spark.read().parquet(options.get("--input"));
                default ->
                    throw new IllegalArgumentException(
                            "unknown format '" + options.get("--format") + "' (expected text|parquet)");
            };
            if (options.containsKey("--partitions")) {
                texts = texts.repartition(Integer.parseInt(options.get("--partitions")));
            }
            SparseInferEmbedder embedder = new SparseInferEmbedder()
                    .setInputCol(column)
                    .setOutputCol("embedding")
                    .setModel(options.getOrDefault("--model", "minilm"))
                    .setBatchSize(Integer.parseInt(options.getOrDefault("--batch-size", "32")));
            if (options.containsKey("--threads")) {
                embedder.setThreads(Integer.parseInt(options.get("--threads")));
            }
            embedder.transform(texts).write().mode("overwrite").parquet(options.get("--output"));
            System.out.println("wrote "
                    + spark.read().parquet(options.get("--output")).count() + " rows to " + options.get("--output"));
        } catch (SparseInferException e) {
            System.err.println("EmbedCorpus: " + e.getMessage() + " (" + e.code() + ")");
            status = 1;
        } finally {
            spark.stop();
        }
        System.exit(status);
    }

    /** {@code --name value} pairs, or null if an argument is not one of {@link #OPTIONS} or has no value. */
    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!OPTIONS.contains(args[i]) || i + 1 >= args.length) {
                return null;
            }
            options.put(args[i], args[i + 1]);
        }
        return options;
    }
}
