package dev.sparseinfer.engine.io.packed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.io.safetensors.SafetensorsFile;
import dev.sparseinfer.engine.io.safetensors.SafetensorsWriter;
import dev.sparseinfer.engine.io.safetensors.TensorInfo;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.Seeds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorDigestsTest {

    private static final BertConfig CONFIG = new BertConfig(13, 8, 2, 2, 12, 5, 2, 1e-12, BertConfig.GELU);

    @TempDir
    Path dir;

    @Test
    void recordsTheSha256OfEveryTensorsStoredBytes() throws IOException, NoSuchAlgorithmException {
        Path file = packed();
        byte[] all = Files.readAllBytes(file);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            JsonObject digests =
                    JsonParser.parseString(f.metadata().get(TensorDigests.KEY)).getAsJsonObject();
            assertEquals(f.tensors().keySet(), digests.keySet());
            long dataStart = all.length
                    - f.tensors().values().stream()
                            .mapToLong(TensorInfo::byteLength)
                            .sum();
            for (TensorInfo t : f.tensors().values()) {
                // Hashed here straight from the file's bytes, independently of the reader.
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                sha.update(all, (int) (dataStart + t.begin()), (int) t.byteLength());
                assertEquals(
                        HexFormat.of().formatHex(sha.digest()),
                        digests.get(t.name()).getAsString(),
                        t.name());
            }
            TensorDigests.Report report = TensorDigests.check(f);
            assertTrue(report.recorded());
            assertEquals(f.tensors().size(), report.checked());
            assertTrue(report.mismatched().isEmpty());
        }
    }

    @Test
    void loadRefusesAFileWithOneChangedByteNamingTheTensor() throws IOException {
        Path file = packed();
        byte[] bytes = Files.readAllBytes(file);
        Random random = new Random(Seeds.fresh());
        TensorInfo victim;
        long dataStart;
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            var nonEmpty = f.tensors().values().stream()
                    .filter(t -> t.byteLength() > 0)
                    .toList();
            victim = nonEmpty.get(random.nextInt(nonEmpty.size()));
            dataStart = bytes.length
                    - f.tensors().values().stream()
                            .mapToLong(TensorInfo::byteLength)
                            .sum();
        }
        int at = (int) (dataStart + victim.begin() + random.nextLong(victim.byteLength()));
        bytes[at] ^= (byte) (1 << random.nextInt(8));
        Files.write(file, bytes);

        SparseInferException e = assertThrows(SparseInferException.class, () -> PackedModel.load(file));
        assertEquals(SparseInferException.Code.INVALID_MODEL, e.code());
        assertTrue(
                e.getMessage().contains("'" + victim.name() + "' does not match its recorded SHA-256"), e.getMessage());
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(List.of(victim.name()), TensorDigests.check(f).mismatched());
        }
    }

    @Test
    void aFileWrittenBeforeDigestsLoadsAndReportsNothingRecorded() throws IOException {
        Path file = rewritten(packed(), digests -> null);
        LoadedModel model = PackedModel.load(file);
        assertEquals(CONFIG, model.weights().config());
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            TensorDigests.Report report = TensorDigests.check(f);
            assertFalse(report.recorded());
            assertEquals(0, report.checked());
        }
    }

    @Test
    void aDigestTableThatLeavesATensorOutOrNamesAMissingOneIsRefused() throws IOException {
        Path original = packed();
        Path missing = rewritten(original, d -> {
            d.remove("embeddings.LayerNorm.bias");
            return d;
        });
        assertMessage(missing, "tensor 'embeddings.LayerNorm.bias' has no recorded SHA-256");
        Path extra = rewritten(original, d -> {
            d.addProperty("pooler.dense.weight", "0".repeat(64));
            return d;
        });
        assertMessage(extra, "'pooler.dense.weight', which the file does not hold");
        Path malformed = rewritten(original, d -> {
            d.addProperty("embeddings.LayerNorm.bias", "ABC");
            return d;
        });
        assertMessage(malformed, "not 64 lowercase hex digits");
    }

    private static void assertMessage(Path file, String expected) {
        SparseInferException e = assertThrows(SparseInferException.class, () -> PackedModel.load(file));
        assertEquals(SparseInferException.Code.INVALID_MODEL, e.code());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private Path packed() {
        Path file = dir.resolve("model.safetensors");
        LoadedModel model = new LoadedModel(RandomBert.weights(CONFIG, new Random(Seeds.fresh())), "{}", "random");
        PackedModel.write(model, "{}", file);
        return file;
    }

    /** The same tensors and metadata, with the digest table changed by {@code edit} (null: left out). */
    private Path rewritten(Path file, UnaryOperator<JsonObject> edit) {
        Path out = dir.resolve("edited-" + System.nanoTime() + ".safetensors");
        try (SafetensorsFile in = SafetensorsFile.open(file)) {
            SafetensorsWriter w = new SafetensorsWriter();
            in.metadata().forEach((k, v) -> {
                if (!k.equals(TensorDigests.KEY)) {
                    w.metadata(k, v);
                }
            });
            JsonObject digests = edit.apply(
                    JsonParser.parseString(in.metadata().get(TensorDigests.KEY)).getAsJsonObject());
            if (digests != null) {
                w.metadata(TensorDigests.KEY, digests.toString());
            }
            for (TensorInfo t : in.tensors().values()) {
                w.add(t.name(), t.dtype(), t.shape(), in.readBytes(t.name()));
            }
            w.write(out);
        }
        return out;
    }
}
