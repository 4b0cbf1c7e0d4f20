package dev.sparseinfer.engine.io.onnx;

import dev.sparseinfer.engine.format.FloatTensor;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * An ONNX {@code TensorProto}: an initializer, or the value of a {@code Constant} node. Only the header is parsed
 * up front; {@code raw_data} stays a slice of the memory-mapped file, and values are converted to Java arrays only
 * when asked for, so a large initializer is copied once, into the array that the model keeps.
 */
public final class OnnxTensor {

    public static final int FLOAT = 1;
    public static final int UINT8 = 2;
    public static final int INT8 = 3;
    public static final int INT32 = 6;
    public static final int INT64 = 7;
    public static final int FLOAT16 = 10;

    private static final int DIMS = 1;
    private static final int DATA_TYPE = 2;
    private static final int FLOAT_DATA = 4;
    private static final int INT32_DATA = 5;
    private static final int INT64_DATA = 7;
    private static final int NAME = 8;
    private static final int RAW_DATA = 9;
    private static final int DATA_LOCATION = 14;
    private static final int EXTERNAL = 1;

    private final String name;
    private final int[] shape;
    private final int dataType;
    private final ByteBuffer rawData;
    private final boolean external;
    private final ProtoReader message;

    private OnnxTensor(
            String name, int[] shape, int dataType, ByteBuffer rawData, boolean external, ProtoReader message) {
        this.name = name;
        this.shape = shape;
        this.dataType = dataType;
        this.rawData = rawData;
        this.external = external;
        this.message = message;
    }

    /** Parses a TensorProto's header, keeping {@code message} to decode typed data fields on demand. */
    static OnnxTensor parse(ProtoReader message) {
        ProtoReader r = message.copy();
        String name = "";
        List<ProtoReader> dims = new ArrayList<>();
        int dataType = 0;
        ByteBuffer raw = null;
        boolean external = false;
        while (r.next()) {
            switch (r.field()) {
                case DIMS -> dims.add(r.packed(ProtoReader.VARINT));
                case DATA_TYPE -> dataType = r.int32();
                case NAME -> name = r.string();
                case RAW_DATA -> raw = r.bytes();
                case DATA_LOCATION -> external = r.int32() == EXTERNAL;
                default -> r.skip();
            }
        }
        long[] dimValues = ProtoReader.varints(dims);
        int[] shape = new int[dimValues.length];
        for (int i = 0; i < shape.length; i++) {
            if (dimValues[i] < 0 || dimValues[i] > Integer.MAX_VALUE) {
                throw message.error("tensor '" + name + "' has invalid dimension " + dimValues[i]);
            }
            shape[i] = (int) dimValues[i];
        }
        return new OnnxTensor(name, shape, dataType, raw, external, message);
    }

    public String name() {
        return name;
    }

    public int[] shape() {
        return shape.clone();
    }

    /** The TensorProto data type code ({@link #FLOAT}, {@link #INT8}, ...). */
    public int dataType() {
        return dataType;
    }

    /** The type's name as onnx.proto spells it, for messages. */
    public String typeName() {
        return typeName(dataType);
    }

    public boolean isFloatingPoint() {
        return dataType == FLOAT || dataType == FLOAT16;
    }

    /** The values of a FLOAT or FLOAT16 tensor, widened to fp32. */
    public float[] toFloats() {
        requireInline();
        int count = elementCount();
        return switch (dataType) {
            case FLOAT -> rawData != null ? rawFloats(count) : typedFloats(count);
            case FLOAT16 -> halves(count);
            default -> throw unsupportedType("FLOAT and FLOAT16 are read as floats");
        };
    }

    /**
     * The values of a FLOAT tensor stored in {@code raw_data} (little-endian, as ONNX requires), as a view of the
     * mapped file, nothing copied; empty for any other type or storage.
     */
    public Optional<MemorySegment> mappedFloats() {
        requireInline();
        if (dataType != FLOAT || rawData == null) {
            return Optional.empty();
        }
        checkRawSize(elementCount(), Float.BYTES);
        return Optional.of(MemorySegment.ofBuffer(rawData));
    }

    /** The values of an INT64 or INT32 tensor. */
    public long[] toLongs() {
        requireInline();
        int count = elementCount();
        int width = switch (dataType) {
            case INT64 -> Long.BYTES;
            case INT32 -> Integer.BYTES;
            default -> throw unsupportedType("INT64 and INT32 are read as integers");
        };
        long[] values;
        if (rawData != null) {
            checkRawSize(count, width);
            values = new long[count];
            for (int i = 0; i < count; i++) {
                values[i] = width == Long.BYTES ? rawData.getLong(i * Long.BYTES) : rawData.getInt(i * Integer.BYTES);
            }
        } else {
            values = ProtoReader.varints(typedRuns(dataType == INT64 ? INT64_DATA : INT32_DATA));
            checkCount(values.length, count);
            if (dataType == INT32) {
                for (int i = 0; i < count; i++) {
                    values[i] = (int) values[i];
                }
            }
        }
        return values;
    }

    /**
     * The bytes of an INT8 or UINT8 tensor, as stored (a UINT8 value {@code v} reads as {@code (byte) v}): one byte
     * each in raw_data, or one value per int32_data entry as onnx.proto specifies.
     */
    public byte[] toBytes() {
        requireInline();
        if (dataType != INT8 && dataType != UINT8) {
            throw unsupportedType("INT8 and UINT8 are read as bytes");
        }
        int count = elementCount();
        if (rawData != null) {
            checkRawSize(count, Byte.BYTES);
            byte[] values = new byte[count];
            rawData.get(0, values);
            return values;
        }
        long[] stored = ProtoReader.varints(typedRuns(INT32_DATA));
        checkCount(stored.length, count);
        long min = dataType == INT8 ? Byte.MIN_VALUE : 0;
        long max = dataType == INT8 ? Byte.MAX_VALUE : 255;
        byte[] values = new byte[count];
        for (int i = 0; i < count; i++) {
            long v = (int) stored[i];
            if (v < min || v > max) {
                throw message.error("tensor '" + name + "' of type " + typeName(dataType) + " holds " + v + " at " + i);
            }
            values[i] = (byte) v;
        }
        return values;
    }

    /** This tensor as fp32 under another name (the name a checkpoint would give it). */
    public FloatTensor toFloatTensor(String newName) {
        return new FloatTensor(newName, shape, toFloats());
    }

    /** The number of values, checked to fit a Java array (the product of the dimensions). */
    public int elementCount() {
        long count = 1;
        for (int d : shape) {
            count *= d;
            if (count > Integer.MAX_VALUE) {
                throw message.error("tensor '" + name + "' of shape " + Arrays.toString(shape)
                        + " has more values than an array can hold");
            }
        }
        return (int) count;
    }

    private float[] rawFloats(int count) {
        checkRawSize(count, Float.BYTES);
        float[] values = new float[count];
        rawData.asFloatBuffer().get(values);
        return values;
    }

    private float[] typedFloats(int count) {
        float[] values = ProtoReader.floats(typedRuns(FLOAT_DATA));
        checkCount(values.length, count);
        return values;
    }

    /** FP16 values: two bytes each in raw_data, or one bit pattern per int32_data entry as onnx.proto specifies. */
    private float[] halves(int count) {
        if (rawData != null) {
            checkRawSize(count, Short.BYTES);
            float[] values = new float[count];
            for (int i = 0; i < count; i++) {
                values[i] = Float.float16ToFloat(rawData.getShort(i * Short.BYTES));
            }
            return values;
        }
        long[] bits = ProtoReader.varints(typedRuns(INT32_DATA));
        checkCount(bits.length, count);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = Float.float16ToFloat((short) bits[i]);
        }
        return values;
    }

    /** The packed runs of one typed data field, gathered in file order. */
    private List<ProtoReader> typedRuns(int dataField) {
        List<ProtoReader> runs = new ArrayList<>();
        ProtoReader r = message.copy();
        while (r.next()) {
            if (r.field() == dataField) {
                runs.add(r.packed(dataField == FLOAT_DATA ? ProtoReader.I32 : ProtoReader.VARINT));
            } else {
                r.skip();
            }
        }
        return runs;
    }

    private void requireInline() {
        if (external) {
            throw message.error("tensor '" + name + "': external data not supported; "
                    + "export the model with its weights inside the .onnx file");
        }
    }

    private void checkRawSize(int count, int width) {
        if (rawData.remaining() != (long) count * width) {
            throw message.error("tensor '" + name + "' of shape " + Arrays.toString(shape) + " needs "
                    + (long) count * width + " bytes of raw_data, found " + rawData.remaining());
        }
    }

    private void checkCount(int found, int count) {
        if (found != count) {
            throw message.error("tensor '" + name + "' of shape " + Arrays.toString(shape) + " needs " + count
                    + " values, found " + found);
        }
    }

    private RuntimeException unsupportedType(String supported) {
        return message.error("tensor '" + name + "' has data type " + typeName(dataType) + "; only " + supported);
    }

    private static String typeName(int type) {
        return switch (type) {
            case 0 -> "UNDEFINED (0)";
            case FLOAT -> "FLOAT";
            case UINT8 -> "UINT8";
            case INT8 -> "INT8";
            case 4 -> "UINT16 (4)";
            case 5 -> "INT16 (5)";
            case INT32 -> "INT32";
            case INT64 -> "INT64";
            case 8 -> "STRING (8)";
            case 9 -> "BOOL (9)";
            case FLOAT16 -> "FLOAT16";
            case 11 -> "DOUBLE (11)";
            case 16 -> "BFLOAT16 (16)";
            default -> Integer.toString(type);
        };
    }
}
