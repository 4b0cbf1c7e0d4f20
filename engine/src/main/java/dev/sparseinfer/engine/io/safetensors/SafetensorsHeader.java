package dev.sparseinfer.engine.io.safetensors;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.Strictness;
import com.google.gson.reflect.TypeToken;
import dev.sparseinfer.engine.api.SparseInferException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and checked header of a safetensors file: an 8-byte little-endian length N, then N bytes of UTF-8
 * JSON mapping each tensor name to {@code dtype}, {@code shape} and {@code data_offsets} (relative to the data
 * section that follows the header), plus an optional {@code __metadata__} object of strings.
 *
 * <p>Every field is checked against the file's size before anything is allocated or read from the data, so a
 * truncated file or a header that lies fails here with one line naming the file and the entry at fault.
 */
record SafetensorsHeader(long dataStart, long dataSize, Map<String, TensorInfo> tensors, Map<String, String> metadata) {

    /** The reference implementation's limit: real headers are a few hundred bytes per tensor. */
    static final long MAX_HEADER_BYTES = 100_000_000;

    private static final String METADATA_KEY = "__metadata__";
    private static final ValueLayout.OfLong U64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Strict: a header is JSON as RFC 8259 defines it; a map type, so that a repeated name is an error. */
    private static final Gson STRICT_JSON =
            new GsonBuilder().setStrictness(Strictness.STRICT).create();

    private static final TypeToken<Map<String, JsonElement>> ENTRIES = new TypeToken<Map<String, JsonElement>>() {};
    /** Shapes and offsets above 10^18 could not describe a real file; capping the digits avoids overflow. */
    private static final int MAX_DIGITS = 18;

    static SafetensorsHeader parse(Path path, MemorySegment file) {
        long size = file.byteSize();
        if (size < 8) {
            throw invalid(path, "too short for a safetensors header (" + size + " bytes)");
        }
        // Read as signed: a length of 2^63 or more is negative here and rejected with the rest.
        long headerLength = file.get(U64_LE, 0);
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || headerLength > size - 8) {
            throw invalid(
                    path,
                    "header length " + Long.toUnsignedString(headerLength) + " does not fit a " + size
                            + "-byte file (at most " + Math.min(MAX_HEADER_BYTES, size - 8) + ")");
        }
        Map<String, JsonElement> entries =
                entries(path, file.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE));
        long dataStart = 8 + headerLength;
        long dataSize = size - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : entries.entrySet()) {
            if (e.getKey().equals(METADATA_KEY)) {
                readMetadata(path, e.getValue(), metadata);
            } else {
                tensors.put(e.getKey(), readTensor(path, e.getKey(), e.getValue(), dataSize));
            }
        }
        checkNoOverlap(path, tensors.values());
        return new SafetensorsHeader(
                dataStart, dataSize, Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
    }

    private static Map<String, JsonElement> entries(Path path, byte[] header) {
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(header))
                    .toString();
        } catch (CharacterCodingException e) {
            throw invalid(path, "header is not valid UTF-8");
        }
        // The reference reader insists on this too; it also tells a JSON array or string from an object early.
        if (!text.startsWith("{")) {
            throw invalid(path, "header does not start with '{'");
        }
        try {
            return STRICT_JSON.fromJson(text, ENTRIES);
        } catch (RuntimeException e) {
            // Gson's own exceptions, and whatever its number and map handling raise on a hostile header.
            throw invalid(path, "header is not valid JSON (" + jsonProblem(e) + ")");
        }
    }

    private static void readMetadata(Path path, JsonElement value, Map<String, String> metadata) {
        if (value == null || !value.isJsonObject()) {
            throw invalid(path, METADATA_KEY + " is not an object");
        }
        for (Map.Entry<String, JsonElement> m : value.getAsJsonObject().entrySet()) {
            JsonElement v = m.getValue();
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                throw invalid(path, METADATA_KEY + " entry '" + m.getKey() + "' is not a string");
            }
            metadata.put(m.getKey(), v.getAsString());
        }
    }

    private static TensorInfo readTensor(Path path, String name, JsonElement value, long dataSize) {
        String at = "tensor '" + name + "'";
        if (value == null || !value.isJsonObject()) {
            throw invalid(path, at + " is not an object");
        }
        JsonObject o = value.getAsJsonObject();
        JsonElement dtypeName = o.get("dtype");
        if (dtypeName == null
                || !dtypeName.isJsonPrimitive()
                || !dtypeName.getAsJsonPrimitive().isString()) {
            throw invalid(path, at + " has no dtype");
        }
        DType dtype = DType.fromSafetensorsName(dtypeName.getAsString())
                .orElseThrow(() -> invalid(path, at + " has unsupported dtype '" + dtypeName.getAsString() + "'"));
        long[] shapeValues = naturals(path, at, "shape", o.get("shape"), -1);
        long[] offsets = naturals(path, at, "data_offsets", o.get("data_offsets"), 2);
        int[] shape = new int[shapeValues.length];
        long bytes = dtype.bytes();
        for (int i = 0; i < shape.length; i++) {
            if (shapeValues[i] > Integer.MAX_VALUE) {
                throw invalid(path, at + " has dimension " + shapeValues[i] + ", more than 2^31 - 1");
            }
            shape[i] = (int) shapeValues[i];
            bytes = multiply(path, at, bytes, shape[i]);
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end || end > dataSize) {
            throw invalid(
                    path,
                    at + " has data_offsets [" + begin + ", " + end + "] outside the " + dataSize
                            + "-byte data section (truncated file?)");
        }
        if (end - begin != bytes) {
            throw invalid(
                    path,
                    at + " has " + (end - begin) + " bytes of data but its shape " + Arrays.toString(shape) + " of "
                            + dtype + " needs " + bytes);
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    /** A JSON array of non-negative integers, of the given length unless that is -1. */
    private static long[] naturals(Path path, String at, String field, JsonElement value, int length) {
        if (value == null
                || !value.isJsonArray()
                || (length >= 0 && value.getAsJsonArray().size() != length)) {
            throw invalid(
                    path, at + " has no " + field + (length >= 0 ? " array of " + length + " integers" : " array"));
        }
        var array = value.getAsJsonArray();
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement e = array.get(i);
            String digits = e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber() ? e.getAsString() : "";
            if (digits.isEmpty()
                    || digits.length() > MAX_DIGITS
                    || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw invalid(path, at + " has " + field + " entry " + e + ", not a non-negative integer below 10^18");
            }
            out[i] = Long.parseLong(digits);
        }
        return out;
    }

    private static long multiply(Path path, String at, long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw invalid(path, at + " has a shape too large for any file");
        }
    }

    private static void checkNoOverlap(Path path, Iterable<TensorInfo> infos) {
        List<TensorInfo> sorted = new ArrayList<>();
        infos.forEach(sorted::add);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        // Sorted by start, any overlap shows up between neighbours.
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo previous = sorted.get(i - 1);
            TensorInfo next = sorted.get(i);
            if (next.begin() < previous.end()) {
                throw invalid(
                        path,
                        "tensors '" + previous.name() + "' [" + previous.begin() + ", " + previous.end() + "] and '"
                                + next.name() + "' [" + next.begin() + ", " + next.end() + "] overlap");
            }
        }
    }

    static SparseInferException invalid(Path path, String problem) {
        return SparseInferException.invalidModel(path + ": " + problem);
    }

    /**
     * Gson's own words for what is wrong and where, without what does not help a user: the wrapping exception's
     * class name, advice to parse leniently, the JSON path, and the troubleshooting link on a second line.
     */
    private static String jsonProblem(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String message = root.getMessage() == null
                ? root.getClass().getSimpleName()
                : root.getMessage().lines().findFirst().orElse("");
        message = message.replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON ", "");
        int jsonPath = message.indexOf(" path $");
        return jsonPath >= 0 ? message.substring(0, jsonPath) : message;
    }
}
