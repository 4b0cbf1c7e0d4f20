package dev.sparseinfer.models.variants;

import dev.sparseinfer.engine.api.SparseInferException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * A SHA-256 of a model's content (a file, or every file directly in a model directory, with their names): derived
 * models are cached under it, so a changed model is never served stale variants, whatever its name or timestamps.
 * Hashing the 90 MB built-in model takes well under a second, against minutes for building a variant.
 */
public final class SourceIdentity {

    /** The recipe entry where {@code distill} records its teacher's identity, so a cache can check it. */
    public static final String TEACHER_RECIPE_KEY = "distill.teacher_sha256";

    private SourceIdentity() {}

    public static String of(Path model) {
        MessageDigest sha = sha256();
        try {
            if (Files.isDirectory(model)) {
                List<Path> files;
                try (Stream<Path> listing = Files.list(model)) {
                    files = listing.filter(Files::isRegularFile).sorted().toList();
                }
                for (Path f : files) {
                    sha.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                    sha.update((byte) 0);
                    digest(f, sha);
                }
            } else {
                digest(model, sha);
            }
        } catch (IOException e) {
            throw new SparseInferException(
                    SparseInferException.Code.IO, "cannot read model " + model + ": " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    static String hash(String text) {
        return HexFormat.of().formatHex(sha256().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static void digest(Path file, MessageDigest sha) throws IOException {
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
