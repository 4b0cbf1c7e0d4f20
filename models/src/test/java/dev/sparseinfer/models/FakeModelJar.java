package dev.sparseinfer.models;

import dev.sparseinfer.engine.api.EmbeddingRecipe;
import dev.sparseinfer.engine.api.Pooling;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** A built-in model entry over a tiny jar of made-up files, so resolution is tested without the real 100 MB jars. */
final class FakeModelJar {

    static final byte[] ONNX = "not really an ONNX graph".getBytes(StandardCharsets.UTF_8);
    static final byte[] TOKENIZER = "{\"model\": \"not really a tokenizer\"}".getBytes(StandardCharsets.UTF_8);

    static final BuiltinModel MODEL = new BuiltinModel(
            "fake-model",
            List.of("fake"),
            "a made-up model",
            new MavenArtifact("test.group", "fake-model", "1.0", 1234),
            new PackagedFile("fake-model.onnx", sha256(ONNX), ONNX.length),
            new PackagedFile("fake-model-tokenizer.json", sha256(TOKENIZER), TOKENIZER.length),
            false,
            8,
            16,
            EmbeddingRecipe.of(Pooling.CLS, true));

    private FakeModelJar() {}

    /** Writes the model's jar with the files its entry expects. */
    static Path write(Path jar) throws IOException {
        return write(jar, ONNX);
    }

    /** Writes the model's jar with other ONNX bytes than its entry expects. */
    static Path write(Path jar, byte[] onnx) throws IOException {
        Files.createDirectories(jar.getParent());
        try (OutputStream file = Files.newOutputStream(jar);
                ZipOutputStream zip = new ZipOutputStream(file)) {
            zip.putNextEntry(new ZipEntry(MODEL.onnx().resource()));
            zip.write(onnx);
            zip.putNextEntry(new ZipEntry(MODEL.tokenizer().resource()));
            zip.write(TOKENIZER);
        }
        return jar;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
