package dev.sparseinfer.engine.io.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.SparseInferException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class OnnxTensorTest {

    @Test
    void readsRawFloatsAsLittleEndian() {
        OnnxTensor t = parse(header("w", OnnxTensor.FLOAT, 2, 3).bytes(9, ProtoWriter.floatBytes(1, 2, 3, 4, 5, 6)));
        assertEquals("w", t.name());
        assertArrayEquals(new int[] {2, 3}, t.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.toFloats());
        assertArrayEquals(new int[] {2, 3}, t.toFloatTensor("renamed").shape());
    }

    @Test
    void readsFloatDataPackedOrNot() {
        OnnxTensor t = parse(
                header("f", OnnxTensor.FLOAT, 3).packedFloats(4, 0.25f, -1f).float32(4, 7f));
        assertArrayEquals(new float[] {0.25f, -1f, 7f}, t.toFloats());
    }

    @Test
    void readsDimsPackedOrNot() {
        OnnxTensor t = parse(new ProtoWriter()
                .packedVarints(1, 2, 1)
                .varint(1, 2)
                .varint(2, OnnxTensor.INT64)
                .packedVarints(7, 1, -2, 3, 4));
        assertArrayEquals(new int[] {2, 1, 2}, t.shape());
        assertArrayEquals(new long[] {1, -2, 3, 4}, t.toLongs());
    }

    @Test
    void readsInt32FromRawDataAndFromInt32Data() {
        ByteBuffer raw =
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(-5).putInt(12);
        assertArrayEquals(
                new long[] {-5, 12},
                parse(header("r", OnnxTensor.INT32, 2).bytes(9, raw.array())).toLongs());
        // A negative int32 is written as a 10-byte varint of its sign-extended 64-bit value.
        assertArrayEquals(
                new long[] {-5, 12},
                parse(header("d", OnnxTensor.INT32, 2).varint(5, -5).varint(5, 12))
                        .toLongs());
    }

    @Test
    void readsInt8AndUint8FromRawDataAndFromInt32Data() {
        assertArrayEquals(
                new byte[] {-3, 127},
                parse(header("r", OnnxTensor.INT8, 2).bytes(9, new byte[] {-3, 127}))
                        .toBytes());
        assertArrayEquals(
                new byte[] {(byte) 200, 0},
                parse(header("d", OnnxTensor.UINT8, 2).varint(5, 200).varint(5, 0))
                        .toBytes());
    }

    @Test
    void rejectsAnInt32DataEntryOutsideTheBytesType() {
        assertRejects(
                () -> parse(header("u", OnnxTensor.UINT8, 1).varint(5, 256)).toBytes(),
                "tensor 'u' of type UINT8 holds 256 at 0");
        assertRejects(
                () -> parse(header("i", OnnxTensor.INT8, 1).varint(5, -129)).toBytes(),
                "tensor 'i' of type INT8 holds -129 at 0");
        assertRejects(
                () -> parse(header("f", OnnxTensor.FLOAT, 1).float32(4, 1f)).toBytes(),
                "only INT8 and UINT8 are read as bytes");
    }

    @Test
    void widensFloat16FromRawDataAndFromInt32Data() {
        short one = Float.floatToFloat16(1f);
        short minusHalf = Float.floatToFloat16(-0.5f);
        ByteBuffer raw = ByteBuffer.allocate(4)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putShort(one)
                .putShort(minusHalf);
        assertArrayEquals(
                new float[] {1f, -0.5f},
                parse(header("h", OnnxTensor.FLOAT16, 2).bytes(9, raw.array())).toFloats());
        // onnx.proto keeps FP16 outside raw_data as one unsigned 16-bit pattern per int32_data entry.
        OnnxTensor typed = parse(header("h", OnnxTensor.FLOAT16, 2).packedVarints(5, one & 0xffff, minusHalf & 0xffff));
        assertArrayEquals(new float[] {1f, -0.5f}, typed.toFloats());
    }

    @Test
    void readsAScalar() {
        assertArrayEquals(
                new float[] {3f},
                parse(header("s", OnnxTensor.FLOAT).bytes(9, ProtoWriter.floatBytes(3f)))
                        .toFloats());
    }

    @Test
    void rejectsRawDataOfTheWrongSize() {
        OnnxTensor t = parse(header("w", OnnxTensor.FLOAT, 4).bytes(9, new byte[12]));
        assertRejects(t::toFloats, "tensor 'w' of shape [4] needs 16 bytes of raw_data, found 12");
    }

    @Test
    void rejectsTypedDataOfTheWrongCount() {
        OnnxTensor t = parse(header("w", OnnxTensor.INT64, 3).packedVarints(7, 1, 2));
        assertRejects(t::toLongs, "tensor 'w' of shape [3] needs 3 values, found 2");
    }

    @Test
    void rejectsDataTypesItDoesNotRead() {
        OnnxTensor doubles = parse(header("d", 11, 1).bytes(9, new byte[8]));
        assertRejects(doubles::toFloats, "tensor 'd' has data type DOUBLE (11); only FLOAT and FLOAT16");
        OnnxTensor floats = parse(header("f", OnnxTensor.FLOAT, 1).bytes(9, new byte[4]));
        assertRejects(floats::toLongs, "tensor 'f' has data type FLOAT; only INT64 and INT32");
    }

    @Test
    void rejectsExternalData() {
        OnnxTensor t = parse(header("w", OnnxTensor.FLOAT, 4)
                .varint(14, 1)
                .message(13, new ProtoWriter().string(1, "location").string(2, "weights.bin")));
        assertRejects(t::toFloats, "tensor 'w': external data not supported");
    }

    @Test
    void rejectsANegativeDimension() {
        SparseInferException e =
                assertThrows(SparseInferException.class, () -> parse(header("w", OnnxTensor.FLOAT, 2, -1)));
        assertTrue(e.getMessage().contains("tensor 'w' has invalid dimension -1"), e.getMessage());
    }

    @Test
    void rejectsMoreValuesThanAnArrayHoldsBeforeAllocating() {
        OnnxTensor t = parse(header("w", OnnxTensor.FLOAT, Integer.MAX_VALUE, 4).bytes(9, new byte[16]));
        assertRejects(t::toFloats, "more values than an array can hold");
    }

    @Test
    void checksTheDataAgainstALyingShapeBeforeAllocatingForIt() {
        // 2^30 values would take 4 to 8 GiB; the check against the 4 bytes present must come first.
        for (int type : new int[] {OnnxTensor.FLOAT, OnnxTensor.FLOAT16, OnnxTensor.INT64, OnnxTensor.INT8}) {
            OnnxTensor raw = parse(header("w", type, 1 << 30).bytes(9, new byte[4]));
            OnnxTensor typed = parse(header("w", type, 1 << 30).packedVarints(5, 1));
            Supplier<?> readRaw =
                    type == OnnxTensor.INT64 ? raw::toLongs : type == OnnxTensor.INT8 ? raw::toBytes : raw::toFloats;
            Supplier<?> readTyped = type == OnnxTensor.INT64
                    ? typed::toLongs
                    : type == OnnxTensor.INT8 ? typed::toBytes : typed::toFloats;
            assertRejects(readRaw, "tensor 'w' of shape [1073741824] needs");
            assertRejects(readTyped, "tensor 'w' of shape [1073741824] needs 1073741824 values, found");
        }
    }

    private static ProtoWriter header(String name, int dataType, long... dims) {
        ProtoWriter t = new ProtoWriter();
        for (long d : dims) {
            t.varint(1, d);
        }
        return t.varint(2, dataType).string(8, name);
    }

    private static OnnxTensor parse(ProtoWriter tensor) {
        return OnnxTensor.parse(new ProtoReader(ByteBuffer.wrap(tensor.toByteArray()), "test.onnx"));
    }

    private static void assertRejects(Supplier<?> read, String problem) {
        SparseInferException e = assertThrows(SparseInferException.class, read::get);
        assertEquals(SparseInferException.Code.INVALID_MODEL, e.code());
        assertTrue(e.getMessage().startsWith("test.onnx: ") && e.getMessage().contains(problem), e.getMessage());
    }
}
