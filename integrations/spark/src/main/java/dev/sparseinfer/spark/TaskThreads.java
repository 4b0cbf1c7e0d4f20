package dev.sparseinfer.spark;

import org.apache.spark.sql.SparkSession;

/**
 * The default CPU threads of an executor's model: {@code spark.task.cpus}, the cores Spark sets aside for each task.
 * The model's threads are the calling task plus {@code threads - 1} workers, and only one task at a time gets the
 * workers (the others run their forward pass on their own thread), so with {@code k} task slots at most
 * {@code k + threads - 1} threads run: never more than the executor's {@code k * spark.task.cpus} cores.
 */
final class TaskThreads {

    private TaskThreads() {}

    static int defaultThreads(SparkSession spark) {
        return Integer.parseInt(spark.conf().get("spark.task.cpus", "1").trim());
    }
}
