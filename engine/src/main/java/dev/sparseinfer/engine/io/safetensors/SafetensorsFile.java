package dev.sparseinfer.engine.io.safetensors;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.format.FloatTable;
import dev.sparseinfer.engine.format.FloatTensor;
import dev.sparseinfer.engine.io.MappedFile;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;

/**
 * A safetensors file, memory-mapped read-only. {@link #open} checks the whole header against the file
 * ({@link SafetensorsHeader}), so every later read stays inside the mapping.
 *
 * <p>The mapping lives in its own arena, so {@link #close} unmaps the file at once rather than whenever the
 * garbage collector gets to it: a file can then be replaced right after reading it (Windows refuses while it is
 * mapped), and files over 2 GiB map whole. Buffers from {@link #bytes} and tables from {@link #table} are views of
 * the mapping, which throw {@link IllegalStateException} after {@code close}; the {@code read*} methods copy.
 */
public final class SafetensorsFile implements MappedFile {

    private static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** The largest Java array a tensor can be copied into. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final Path path;
    private final Arena arena;
    private final MemorySegment data;
    private final SafetensorsHeader header;

    private SafetensorsFile(Path path, Arena arena, MemorySegment data, SafetensorsHeader header) {
        this.path = path;
        this.arena = arena;
        this.data = data;
        this.header = header;
    }

    /** Maps and checks a file; a malformed one fails with {@link SparseInferException.Code#INVALID_MODEL}. */
    public static SafetensorsFile open(Path path) {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment file = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            SafetensorsHeader header = SafetensorsHeader.parse(path, file);
            MemorySegment data =
                    file.asSlice(header.dataStart(), header.dataSize()).asReadOnly();
            return new SafetensorsFile(path, arena, data, header);
        } catch (IOException e) {
            arena.close();
            String why = e instanceof NoSuchFileException ? "no such file" : e.getMessage();
            throw new SparseInferException(SparseInferException.Code.IO, "cannot read " + path + ": " + why, e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** The {@code __metadata__} strings, empty if the file has none. */
    public Map<String, String> metadata() {
        return header.metadata();
    }

    /** Every tensor's checked header entry, by name, in the order the header lists them. */
    public Map<String, TensorInfo> tensors() {
        return header.tensors();
    }

    public boolean has(String name) {
        return header.tensors().containsKey(name);
    }

    /** The tensor's header entry, or a one-line error naming the file and the tensor. */
    public TensorInfo info(String name) {
        TensorInfo info = header.tensors().get(name);
        if (info == null) {
            throw SafetensorsHeader.invalid(path, "missing tensor '" + name + "'");
        }
        return info;
    }

    /** The tensor's raw little-endian bytes: a read-only view of the mapping, valid until {@link #close}. */
    public ByteBuffer bytes(String name) {
        TensorInfo info = info(name);
        requireArraySized(info, info.byteLength());
        return data.asSlice(info.begin(), info.byteLength()).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A 2-D tensor as a table: an F32, F16 or BF16 tensor is a view of the mapping, widened as it is read and valid
     * until {@link #close} (nothing is copied); other types are converted into an fp32 heap copy.
     */
    public FloatTable table(String name) {
        TensorInfo info = info(name);
        int[] shape = info.shape();
        FloatTable.Encoding encoding = switch (info.dtype()) {
            case F32 -> FloatTable.Encoding.F32;
            case F16 -> FloatTable.Encoding.F16;
            case BF16 -> FloatTable.Encoding.BF16;
            default -> null;
        };
        if (encoding == null) {
            return FloatTable.of(readFloats(name).matrix(-1, -1));
        }
        if (shape.length != 2) {
            throw SafetensorsHeader.invalid(
                    path, "tensor '" + name + "' must be 2-D, has shape " + Arrays.toString(shape));
        }
        return new FloatTable(shape[0], shape[1], encoding, data.asSlice(info.begin(), info.byteLength()));
    }

    /** The tensor's raw bytes, copied out (int8 and uint8 tensors are used as they are). */
    public byte[] readBytes(String name) {
        TensorInfo info = info(name);
        requireArraySized(info, info.byteLength());
        return data.asSlice(info.begin(), info.byteLength()).toArray(ValueLayout.JAVA_BYTE);
    }

    /** The tensor converted to fp32, whatever its stored type (I32 and I64 round to the nearest float). */
    public FloatTensor readFloats(String name) {
        TensorInfo info = info(name);
        requireArraySized(info, info.elements());
        float[] out = new float[(int) info.elements()];
        long at = info.begin();
        switch (info.dtype()) {
            case F32 -> MemorySegment.copy(data, F32_LE, at, out, 0, out.length);
            case F16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.float16ToFloat(data.get(I16_LE, at + 2L * i));
                }
            }
            // bfloat16 is the top half of a float32: widening is exact.
            case BF16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat(data.get(I16_LE, at + 2L * i) << 16);
                }
            }
            case I8 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = data.get(ValueLayout.JAVA_BYTE, at + i);
                }
            }
            case U8 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = data.get(ValueLayout.JAVA_BYTE, at + i) & 0xFF;
                }
            }
            case I32 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = data.get(I32_LE, at + 4L * i);
                }
            }
            case I64 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = data.get(I64_LE, at + 8L * i);
                }
            }
        }
        return new FloatTensor(name, info.shape(), out);
    }

    /** The tensor's values as ints: I32 exactly, I8 and U8 widened; other types are an error. */
    public int[] readInts(String name) {
        TensorInfo info = info(name);
        requireArraySized(info, info.elements());
        int[] out = new int[(int) info.elements()];
        long at = info.begin();
        switch (info.dtype()) {
            case I32 -> MemorySegment.copy(data, I32_LE, at, out, 0, out.length);
            case I8 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = data.get(ValueLayout.JAVA_BYTE, at + i);
                }
            }
            case U8 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = data.get(ValueLayout.JAVA_BYTE, at + i) & 0xFF;
                }
            }
            default ->
                throw SafetensorsHeader.invalid(
                        path, "tensor '" + name + "' is " + info.dtype() + ", expected I32, I8 or U8");
        }
        return out;
    }

    private void requireArraySized(TensorInfo info, long length) {
        if (length > MAX_ARRAY) {
            throw SafetensorsHeader.invalid(
                    path,
                    "tensor '" + info.name() + "' has " + length + " elements or bytes, more than a Java array holds");
        }
    }

    @Override
    public void releasePages() {
        if (arena.scope().isAlive()) {
            data.unload();
        }
    }

    /** Unmaps the file; views from {@link #bytes} and {@link #table} become unusable. Closing twice does nothing. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
