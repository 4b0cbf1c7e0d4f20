package dev.sparseinfer.engine.io.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.SparseInferException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtoReaderTest {

    @Test
    void readsEachWireTypeAndSkipsFieldsItDoesNotAskFor() {
        byte[] bytes = new ProtoWriter()
                .varint(1, 300)
                .float32(2, 1.5f)
                .tag(3, ProtoReader.I64)
                .raw(new byte[8])
                .string(4, "héllo")
                .message(5, new ProtoWriter().varint(1, -2))
                .toByteArray();
        ProtoReader r = reader(bytes);

        assertTrue(r.next());
        assertEquals(1, r.field());
        assertEquals(300, r.int64());
        assertTrue(r.next());
        assertEquals(1.5f, r.float32());
        assertTrue(r.next());
        r.skip();
        assertTrue(r.next());
        assertEquals("héllo", r.string());
        assertTrue(r.next());
        ProtoReader inner = r.message();
        assertTrue(inner.next());
        assertEquals(-2, inner.int32());
        assertFalse(inner.next());
        assertFalse(r.next());
    }

    @Test
    void decodesPackedAndUnpackedRepeatedFieldsAlike() {
        byte[] bytes = new ProtoWriter()
                .packedVarints(1, 1, 300, -2)
                .varint(1, 7)
                .packedFloats(2, 0.5f, -3f)
                .float32(2, 9f)
                .toByteArray();
        List<ProtoReader> longs = new ArrayList<>();
        List<ProtoReader> floats = new ArrayList<>();
        ProtoReader r = reader(bytes);
        while (r.next()) {
            if (r.field() == 1) {
                longs.add(r.packed(ProtoReader.VARINT));
            } else {
                floats.add(r.packed(ProtoReader.I32));
            }
        }
        assertArrayEquals(new long[] {1, 300, -2, 7}, ProtoReader.varints(longs));
        assertArrayEquals(new float[] {0.5f, -3f, 9f}, ProtoReader.floats(floats));
    }

    @Test
    void rejectsATruncatedVarint() {
        assertRejects(
                new ProtoWriter().tag(1, ProtoReader.VARINT).raw((byte) 0x80).toByteArray(),
                "truncated varint at byte 1");
    }

    @Test
    void rejectsAVarintLongerThanTenBytes() {
        byte[] eleven = new byte[11];
        Arrays.fill(eleven, (byte) 0xff);
        assertRejects(new ProtoWriter().tag(1, ProtoReader.VARINT).raw(eleven).toByteArray(), "malformed varint");
    }

    @Test
    void rejectsALengthPastTheEnd() {
        assertRejects(
                new ProtoWriter()
                        .tag(3, ProtoReader.LEN)
                        .rawVarint(100)
                        .raw(new byte[3])
                        .toByteArray(),
                "field 3 at byte 1 claims 100 bytes but only 3 remain");
    }

    @Test
    void rejectsAHugeLength() {
        assertRejects(
                new ProtoWriter()
                        .tag(3, ProtoReader.LEN)
                        .rawVarint(Long.MAX_VALUE)
                        .toByteArray(),
                "claims " + Long.MAX_VALUE + " bytes but only 0 remain");
    }

    @Test
    void rejectsATruncatedFixedWidthValue() {
        assertRejects(
                new ProtoWriter().tag(2, ProtoReader.I64).raw(new byte[5]).toByteArray(),
                "truncated field 2 at byte 1: needs 8 bytes, 5 remain");
    }

    @Test
    void rejectsGroups() {
        assertRejects(new ProtoWriter().tag(4, 3).toByteArray(), "is a group (wire type 3)");
    }

    @Test
    void rejectsUndefinedWireTypesAndFieldZero() {
        assertRejects(new ProtoWriter().tag(4, 6).toByteArray(), "invalid wire type 6");
        assertRejects(new ProtoWriter().tag(0, 0).raw((byte) 1).toByteArray(), "invalid field number 0");
    }

    @Test
    void rejectsAFieldReadWithTheWrongWireType() {
        ProtoReader r = reader(new ProtoWriter().varint(2, 1).toByteArray());
        r.next();
        SparseInferException e = assertThrows(SparseInferException.class, r::bytes);
        assertTrue(e.getMessage().contains("wire type 0, expected 2"), e.getMessage());
    }

    @Test
    void rejectsAnUnpackedRepeatedValueOfTheWrongWireType() {
        ProtoReader r = reader(new ProtoWriter().float32(1, 2f).toByteArray());
        r.next();
        SparseInferException e = assertThrows(SparseInferException.class, () -> r.packed(ProtoReader.VARINT));
        assertTrue(e.getMessage().contains("wire type 5, expected 0"), e.getMessage());
    }

    @Test
    void rejectsPackedFloatsThatAreNotWholeFloats() {
        ProtoReader r = reader(new ProtoWriter().bytes(4, new byte[6]).toByteArray());
        r.next();
        List<ProtoReader> runs = List.of(r.packed(ProtoReader.I32));
        SparseInferException e = assertThrows(SparseInferException.class, () -> ProtoReader.floats(runs));
        assertTrue(e.getMessage().contains("6 bytes, not a whole number of floats"), e.getMessage());
    }

    @Test
    void namesOffsetsWithinTheWholeFile() {
        // The bad length sits inside a nested message; its offset counts from the start of the outer one.
        byte[] inner = new ProtoWriter().tag(1, ProtoReader.LEN).rawVarint(9).toByteArray();
        ProtoReader r = reader(new ProtoWriter()
                .varint(1, 1)
                .message(2, new ProtoWriter().raw(inner))
                .toByteArray());
        r.next();
        r.skip();
        r.next();
        ProtoReader nested = r.message();
        nested.next();
        SparseInferException e = assertThrows(SparseInferException.class, nested::skip);
        assertTrue(e.getMessage().contains("field 1 at byte 5 claims 9 bytes"), e.getMessage());
    }

    private static ProtoReader reader(byte[] bytes) {
        return new ProtoReader(ByteBuffer.wrap(bytes), "test.onnx");
    }

    private static void assertRejects(byte[] bytes, String problem) {
        ProtoReader r = reader(bytes);
        SparseInferException e = assertThrows(SparseInferException.class, () -> {
            while (r.next()) {
                r.skip();
            }
        });
        assertEquals(SparseInferException.Code.INVALID_MODEL, e.code());
        assertTrue(e.getMessage().startsWith("test.onnx: ") && e.getMessage().contains(problem), e.getMessage());
    }
}
