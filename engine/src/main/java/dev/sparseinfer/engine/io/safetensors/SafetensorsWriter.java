package dev.sparseinfer.engine.io.safetensors;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.sparseinfer.engine.api.SparseInferException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Collects tensors and string metadata, then writes a safetensors file atomically: to a temporary file in the
 * target's directory, synced, then renamed over the target, so a reader never sees a half-written file and a
 * failure leaves nothing behind. Tensors are laid out back to back in the order they were added (the reference
 * reader rejects gaps); the header is padded with spaces to a multiple of 8 bytes, as the reference writer does.
 *
 * <p>Arrays handed to {@code add*} are not copied: they are encoded when {@link #write} runs, so a model is never
 * held twice in memory. Do not change them in between.
 */
public final class SafetensorsWriter {

    /** Encoding goes through one buffer of this size, whatever the size of the tensors. */
    private static final int CHUNK_BYTES = 1 << 20;

    /** A tensor's values in the form the caller had them, encoded only when written. */
    private sealed interface Values {
        long count();
    }

    private record Raw(byte[] bytes) implements Values {
        public long count() {
            return bytes.length;
        }
    }

    private record Floats(float[] values) implements Values {
        public long count() {
            return values.length;
        }
    }

    private record Ints(int[] values) implements Values {
        public long count() {
            return values.length;
        }
    }

    private record Entry(String name, DType dtype, int[] shape, Values values, long byteLength) {}

    private final List<Entry> entries = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private String sha256Key;

    /** Where encoded tensor bytes go: the file, or a digest. */
    @FunctionalInterface
    private interface ByteSink {
        void accept(ByteBuffer bytes) throws IOException;
    }

    /** Adds (or replaces) a {@code __metadata__} entry. */
    public SafetensorsWriter metadata(String key, String value) {
        if (key == null || value == null) {
            throw SparseInferException.invalidArgument(
                    "safetensors metadata needs a key and a value, got " + key + "=" + value);
        }
        metadata.put(key, value);
        return this;
    }

    /**
     * Records each tensor's SHA-256 (of its stored bytes, lowercase hex) in the metadata under {@code key}, as a JSON
     * object from tensor name to digest, so a reader can tell a corrupted tensor from a good one. The digests are
     * computed when {@link #write} runs, by encoding every tensor once more before the file is written.
     */
    public SafetensorsWriter recordSha256(String key) {
        sha256Key = key;
        return this;
    }

    /** Adds a tensor from its raw little-endian bytes; their count must match the shape and dtype. */
    public SafetensorsWriter add(String name, DType dtype, int[] shape, byte[] littleEndian) {
        return add(name, dtype, shape, new Raw(littleEndian), 1);
    }

    /** Adds fp32 values as an F32 tensor. */
    public SafetensorsWriter addF32(String name, int[] shape, float[] values) {
        return add(name, DType.F32, shape, new Floats(values), DType.F32.bytes());
    }

    /** Adds fp32 values as an F16 tensor, rounding each to the nearest half (IEEE round to nearest even). */
    public SafetensorsWriter addF16(String name, int[] shape, float[] values) {
        return add(name, DType.F16, shape, new Floats(values), DType.F16.bytes());
    }

    /** Adds int values as an I32 tensor. */
    public SafetensorsWriter addI32(String name, int[] shape, int[] values) {
        return add(name, DType.I32, shape, new Ints(values), DType.I32.bytes());
    }

    private SafetensorsWriter add(String name, DType dtype, int[] shape, Values values, int bytesPerValue) {
        if (name == null || name.equals("__metadata__") || names.contains(name)) {
            throw SparseInferException.invalidArgument("tensor name '" + name + "' is reserved or already added");
        }
        long byteLength = values.count() * bytesPerValue;
        long needed = neededBytes(name, dtype, shape);
        if (needed != byteLength) {
            throw SparseInferException.invalidArgument(name + ": shape " + Arrays.toString(shape) + " of " + dtype
                    + " needs " + needed + " bytes, got " + byteLength);
        }
        names.add(name);
        entries.add(new Entry(name, dtype, shape.clone(), values, byteLength));
        return this;
    }

    /** Multiplied out in header order with overflow checks, as readers check it, so they accept what we write. */
    private static long neededBytes(String name, DType dtype, int[] shape) {
        long needed = dtype.bytes();
        for (int d : shape) {
            if (d < 0) {
                throw SparseInferException.invalidArgument(
                        name + ": negative dimension in shape " + Arrays.toString(shape));
            }
            try {
                needed = Math.multiplyExact(needed, d);
            } catch (ArithmeticException e) {
                throw SparseInferException.invalidArgument(
                        name + ": shape " + Arrays.toString(shape) + " is too large");
            }
        }
        return needed;
    }

    /** Writes the file atomically; on failure the target is untouched and no temporary file is left. */
    public void write(Path target) {
        if (sha256Key != null) {
            metadata.put(sha256Key, sha256s());
        }
        byte[] header = header();
        Path temp = temporaryBeside(target);
        boolean created = false;
        boolean moved = false;
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                created = true;
                ByteSink file = b -> writeFully(b, out);
                ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                chunk.putLong(header.length);
                flush(chunk, file);
                file.accept(ByteBuffer.wrap(header));
                for (Entry e : entries) {
                    writeValues(e, chunk, file);
                }
                out.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
        } catch (IOException e) {
            throw new SparseInferException(
                    SparseInferException.Code.IO,
                    "cannot write " + target + ": " + e.getClass().getSimpleName() + " " + e.getMessage(),
                    e);
        } finally {
            // Only a file this call created: CREATE_NEW failing may mean the name is someone else's.
            if (created && !moved) {
                deleteQuietly(temp);
            }
        }
    }

    /** Every tensor's SHA-256, as a JSON object in tensor order. */
    private String sha256s() {
        JsonObject digests = new JsonObject();
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (Entry e : entries) {
            MessageDigest sha256 = Sha256.newDigest();
            try {
                writeValues(e, chunk, sha256::update);
            } catch (IOException impossible) {
                throw new IllegalStateException(impossible);
            }
            digests.addProperty(e.name(), HexFormat.of().formatHex(sha256.digest()));
        }
        return digests.toString();
    }

    /** A fresh name in the target's directory (a rename is only atomic within one file system); honours umask. */
    private static Path temporaryBeside(Path target) {
        Path absolute = target.toAbsolutePath();
        String suffix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        return absolute.resolveSibling("." + absolute.getFileName() + "." + suffix + ".tmp");
    }

    private byte[] header() {
        JsonObject json = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject m = new JsonObject();
            metadata.forEach(m::addProperty);
            json.add("__metadata__", m);
        }
        long offset = 0;
        for (Entry e : entries) {
            JsonObject t = new JsonObject();
            t.addProperty("dtype", e.dtype().safetensorsName());
            JsonArray shape = new JsonArray();
            for (int d : e.shape()) {
                shape.add(d);
            }
            t.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + e.byteLength());
            t.add("data_offsets", offsets);
            json.add(e.name(), t);
            offset += e.byteLength();
        }
        byte[] raw = json.toString().getBytes(StandardCharsets.UTF_8);
        byte[] padded = Arrays.copyOf(raw, (raw.length + 7) / 8 * 8);
        Arrays.fill(padded, raw.length, padded.length, (byte) ' ');
        return padded;
    }

    /** Encodes one tensor through {@code chunk}, a whole number of values at a time. */
    private static void writeValues(Entry e, ByteBuffer chunk, ByteSink out) throws IOException {
        switch (e.values()) {
            case Raw r -> out.accept(ByteBuffer.wrap(r.bytes()));
            case Ints v -> {
                for (int i = 0; i < v.values().length; i++) {
                    if (chunk.remaining() < Integer.BYTES) {
                        flush(chunk, out);
                    }
                    chunk.putInt(v.values()[i]);
                }
            }
            case Floats v
            when e.dtype() == DType.F16 -> {
                for (int i = 0; i < v.values().length; i++) {
                    if (chunk.remaining() < Short.BYTES) {
                        flush(chunk, out);
                    }
                    chunk.putShort(Float.floatToFloat16(v.values()[i]));
                }
            }
            case Floats v -> {
                for (int i = 0; i < v.values().length; i++) {
                    if (chunk.remaining() < Float.BYTES) {
                        flush(chunk, out);
                    }
                    chunk.putFloat(v.values()[i]);
                }
            }
        }
        flush(chunk, out);
    }

    private static void flush(ByteBuffer chunk, ByteSink out) throws IOException {
        chunk.flip();
        out.accept(chunk);
        chunk.clear();
    }

    private static void writeFully(ByteBuffer buffer, FileChannel out) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    private static void deleteQuietly(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // The write's own failure is what the caller needs to hear about.
        }
    }
}
