package dev.sparseinfer.spark;

import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.api.Precision;
import java.io.Serializable;

/**
 * A model spec and the {@link ModelOptions} to open it with, in a form Spark can ship to executors: the key under
 * which each executor JVM keeps one open model.
 *
 * @param model a built-in model name, or a model file or directory (see {@link ModelLocator})
 */
record ModelSettings(
        String model,
        BackendKind backend,
        int threads,
        int batchSize,
        Pooling pooling,
        Boolean normalize,
        String prompt,
        String promptName,
        boolean detectSparseFormats,
        Precision precision)
        implements Serializable {

    static ModelSettings of(String model, ModelOptions options) {
        return new ModelSettings(
                model,
                options.backend(),
                options.threads(),
                options.batchSize(),
                options.pooling(),
                options.normalize(),
                options.prompt(),
                options.promptName(),
                options.detectSparseFormats(),
                options.precision());
    }

    ModelOptions options() {
        return new ModelOptions(
                backend, threads, batchSize, pooling, normalize, prompt, promptName, detectSparseFormats, precision);
    }
}
