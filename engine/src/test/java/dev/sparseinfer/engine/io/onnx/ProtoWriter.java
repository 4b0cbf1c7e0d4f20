package dev.sparseinfer.engine.io.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Writes protobuf wire format, to build ONNX files (well-formed or not) in tests. */
final class ProtoWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    ProtoWriter varint(int field, long value) {
        return tag(field, ProtoReader.VARINT).rawVarint(value);
    }

    ProtoWriter float32(int field, float value) {
        tag(field, ProtoReader.I32);
        return raw(littleEndian(4).putFloat(value).array());
    }

    ProtoWriter bytes(int field, byte[] value) {
        tag(field, ProtoReader.LEN).rawVarint(value.length);
        return raw(value);
    }

    ProtoWriter string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    ProtoWriter message(int field, ProtoWriter message) {
        return bytes(field, message.toByteArray());
    }

    ProtoWriter packedVarints(int field, long... values) {
        ProtoWriter run = new ProtoWriter();
        for (long v : values) {
            run.rawVarint(v);
        }
        return bytes(field, run.toByteArray());
    }

    ProtoWriter packedFloats(int field, float... values) {
        return bytes(field, floatBytes(values));
    }

    ProtoWriter tag(int field, int wireType) {
        return rawVarint((long) field << 3 | wireType);
    }

    ProtoWriter rawVarint(long value) {
        long v = value;
        while ((v & ~0x7fL) != 0) {
            out.write((int) (v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
        return this;
    }

    ProtoWriter raw(byte... bytes) {
        out.writeBytes(bytes);
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    static byte[] floatBytes(float... values) {
        ByteBuffer b = littleEndian(Float.BYTES * values.length);
        b.asFloatBuffer().put(values);
        return b.array();
    }

    static byte[] longBytes(long... values) {
        ByteBuffer b = littleEndian(Long.BYTES * values.length);
        b.asLongBuffer().put(values);
        return b.array();
    }

    private static ByteBuffer littleEndian(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
