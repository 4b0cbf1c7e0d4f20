package dev.sparseinfer.spark;

import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.EmbeddingModel;
import org.apache.spark.sql.SparkSession;

/**
 * Opens the model on the driver before any task runs, where the driver can reach its files, so an unknown spec or a
 * corrupt file fails the job at once with the engine's one-line error, instead of once per task attempt on every
 * executor.
 */
final class DriverCheck {

    private DriverCheck() {}

    static void check(SparkSession spark, ModelSettings settings) {
        if (spark.sparkContext().isLocal()) {
            // The driver is the only executor: the model it opens is the one the tasks share.
            SharedModels.get(settings);
            return;
        }
        if (!ModelLocator.isReachable(settings.model())) {
            return; // on the executors only, e.g. storage mounted there: each task's open reports it
        }
        // A GPU the executors have may be missing here: the file is what is checked.
        EmbeddingModel.open(
                        ModelLocator.locate(settings.model()),
                        settings.options().withBackend(BackendKind.CPU).withThreads(1))
                .close();
    }
}
