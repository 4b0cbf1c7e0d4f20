package dev.sparseinfer.spark;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.models.ModelRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;

/**
 * Finds a model spec's files in this JVM, driver or executor: a built-in name is extracted into this machine's
 * cache, a path that exists here is used as it is, and otherwise a file of that name shipped with
 * {@code spark-submit --files} (or {@code SparkContext.addFile}) is taken from Spark's files directory.
 */
final class ModelLocator {

    private ModelLocator() {}

    /**
     * The model to open for a spec.
     *
     * @throws SparseInferException if the spec is no built-in name and no file here
     */
    static Path locate(String spec) {
        return find(spec)
                .orElseThrow(() -> SparseInferException.invalidArgument("unknown model '" + spec
                        + "': not a built-in model, no such file on this machine, and not shipped with --files"
                        + shippedDirectory().map(d -> " (looked in " + d + ")").orElse("")));
    }

    /** The model's files if this JVM can reach them, without extracting a built-in model. */
    static boolean isReachable(String spec) {
        return ModelRegistry.builtin(spec).isPresent() || find(spec).isPresent();
    }

    private static Optional<Path> find(String spec) {
        if (ModelRegistry.builtin(spec).isPresent()) {
            return Optional.of(ModelRegistry.standard().resolve(spec));
        }
        Path path = Path.of(spec);
        if (Files.exists(path)) {
            return Optional.of(path);
        }
        return shippedDirectory()
                .map(dir -> dir.resolve(path.getFileName().toString()))
                .filter(Files::exists);
    }

    /** Spark's directory of files added to the job, where this JVM runs inside Spark. */
    private static Optional<Path> shippedDirectory() {
        if (SparkEnv.get() == null) {
            return Optional.empty();
        }
        return Optional.of(Path.of(SparkFiles.getRootDirectory()));
    }
}
