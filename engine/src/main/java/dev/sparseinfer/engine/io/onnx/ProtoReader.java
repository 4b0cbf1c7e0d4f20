package dev.sparseinfer.engine.io.onnx;

import dev.sparseinfer.engine.api.SparseInferException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads one protobuf message in wire format from a {@link ByteBuffer}, usually a slice of a memory-mapped file.
 * Every length and value is checked against the bytes left in the message before use, so a truncated or
 * lying file fails with an INVALID_MODEL error naming the file and byte offset, never with a buffer exception or
 * an allocation sized by a number read from the file. Each field read consumes at least one byte, so no input
 * can make a loop over {@link #next()} run forever.
 *
 * <p>Groups (wire types 3 and 4) are rejected: they were deprecated before ONNX existed and no exporter writes them.
 */
final class ProtoReader {

    static final int VARINT = 0;
    static final int I64 = 1;
    static final int LEN = 2;
    static final int I32 = 5;

    private static final int MAX_VARINT_BYTES = 10;
    private static final long MAX_FIELD_NUMBER = (1L << 29) - 1;

    private final ByteBuffer buffer;
    private final long base;
    private final String source;
    private int field;
    private int wireType;

    /** A reader over all of {@code bytes}; {@code source} names the file in error messages. */
    ProtoReader(ByteBuffer bytes, String source) {
        this(bytes, 0, source);
    }

    private ProtoReader(ByteBuffer bytes, long base, String source) {
        this.buffer = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        this.base = base;
        this.source = source;
    }

    /** A new reader over the same message, from its start. */
    ProtoReader copy() {
        return new ProtoReader(buffer.duplicate().rewind(), base, source);
    }

    /** Reads the next field's tag; false at the end of the message. */
    boolean next() {
        if (!buffer.hasRemaining()) {
            return false;
        }
        long at = offset();
        long tag = varint();
        long number = tag >>> 3;
        wireType = (int) (tag & 7);
        if (number == 0 || number > MAX_FIELD_NUMBER) {
            throw error("invalid field number " + Long.toUnsignedString(number) + " at byte " + at);
        }
        if (wireType == 3 || wireType == 4) {
            throw error("field " + number + " at byte " + at + " is a group (wire type " + wireType
                    + "), which is not supported");
        }
        if (wireType != VARINT && wireType != I64 && wireType != LEN && wireType != I32) {
            throw error("invalid wire type " + wireType + " for field " + number + " at byte " + at);
        }
        field = (int) number;
        return true;
    }

    int field() {
        return field;
    }

    int wireType() {
        return wireType;
    }

    /** The current field as a varint-encoded integer (int64, int32 and enum fields). */
    long int64() {
        expect(VARINT);
        return varint();
    }

    /** The current field as an int32 or enum: protobuf writes negative ones as 10-byte varints, hence the cast. */
    int int32() {
        return (int) int64();
    }

    /** The current field as a fixed32 float. */
    float float32() {
        expect(I32);
        require(Float.BYTES);
        return buffer.getFloat();
    }

    /** The current field's bytes, as a little-endian slice of the underlying buffer (no copy). */
    ByteBuffer bytes() {
        return lengthDelimited().slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    String string() {
        ByteBuffer b = bytes();
        byte[] text = new byte[b.remaining()];
        b.get(text);
        return new String(text, StandardCharsets.UTF_8);
    }

    /** The current field as an embedded message. */
    ProtoReader message() {
        ByteBuffer payload = lengthDelimited();
        return new ProtoReader(payload, base + payload.position(), source);
    }

    /**
     * The current repeated numeric field's values as a reader over a packed run: the payload of a packed
     * (length-delimited) field, or the bytes of one unpacked value of {@code elementWireType}. Writers may use
     * either encoding, and {@link #varints} and {@link #floats} decode both the same way.
     */
    ProtoReader packed(int elementWireType) {
        if (wireType == LEN) {
            return message();
        }
        expect(elementWireType);
        long start = offset();
        ByteBuffer run = buffer.duplicate();
        skip();
        return new ProtoReader(run.limit(buffer.position()), start, source);
    }

    /** Skips the current field's value. */
    void skip() {
        switch (wireType) {
            case VARINT -> varint();
            case I64 -> advance(Long.BYTES);
            case I32 -> advance(Float.BYTES);
            case LEN -> lengthDelimited();
            default -> throw new IllegalStateException("wire type " + wireType + " passed next()");
        }
    }

    /**
     * Decodes packed runs of varints into one array. Its size is the number of varint-ending bytes in the runs,
     * so it can never exceed the bytes actually present.
     */
    static long[] varints(List<ProtoReader> runs) {
        long count = 0;
        for (ProtoReader run : runs) {
            for (int i = run.buffer.position(); i < run.buffer.limit(); i++) {
                if (run.buffer.get(i) >= 0) {
                    count++;
                }
            }
        }
        long[] values = new long[Math.toIntExact(count)];
        int k = 0;
        for (ProtoReader run : runs) {
            while (run.buffer.hasRemaining()) {
                values[k++] = run.varint();
            }
        }
        return values;
    }

    /** Decodes packed runs of fixed32 floats into one array. */
    static float[] floats(List<ProtoReader> runs) {
        long count = 0;
        for (ProtoReader run : runs) {
            if (run.buffer.remaining() % Float.BYTES != 0) {
                throw run.error("packed float field at byte " + run.offset() + " has " + run.buffer.remaining()
                        + " bytes, not a whole number of floats");
            }
            count += run.buffer.remaining() / Float.BYTES;
        }
        float[] values = new float[Math.toIntExact(count)];
        int k = 0;
        for (ProtoReader run : runs) {
            int n = run.buffer.remaining() / Float.BYTES;
            run.buffer.asFloatBuffer().get(values, k, n);
            run.buffer.position(run.buffer.limit());
            k += n;
        }
        return values;
    }

    SparseInferException error(String problem) {
        return SparseInferException.invalidModel(source + ": " + problem);
    }

    private long varint() {
        long at = offset();
        long value = 0;
        for (int i = 0; i < MAX_VARINT_BYTES; i++) {
            if (!buffer.hasRemaining()) {
                throw error("truncated varint at byte " + at);
            }
            byte b = buffer.get();
            value |= (long) (b & 0x7f) << (7 * i);
            if (b >= 0) {
                return value;
            }
        }
        throw error("malformed varint at byte " + at + " (longer than " + MAX_VARINT_BYTES + " bytes)");
    }

    /** Reads a length prefix, checks it against what is left, and returns the payload; the cursor moves past it. */
    private ByteBuffer lengthDelimited() {
        expect(LEN);
        long at = offset();
        long length = varint();
        if (length < 0 || length > buffer.remaining()) {
            throw error("field " + field + " at byte " + at + " claims " + Long.toUnsignedString(length)
                    + " bytes but only " + buffer.remaining() + " remain");
        }
        ByteBuffer payload = buffer.duplicate();
        payload.limit(buffer.position() + (int) length);
        buffer.position(payload.limit());
        return payload;
    }

    private void expect(int expected) {
        if (wireType != expected) {
            throw error("field " + field + " before byte " + offset() + " has wire type " + wireType + ", expected "
                    + expected);
        }
    }

    private void require(int bytes) {
        if (buffer.remaining() < bytes) {
            throw error("truncated field " + field + " at byte " + offset() + ": needs " + bytes + " bytes, "
                    + buffer.remaining() + " remain");
        }
    }

    private void advance(int bytes) {
        require(bytes);
        buffer.position(buffer.position() + bytes);
    }

    private long offset() {
        return base + buffer.position();
    }
}
