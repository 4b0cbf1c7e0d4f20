package dev.sparseinfer.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import jcuda.Pointer;

/**
 * A kernel's arguments, in declaration order, packed the way {@code cuLaunchKernel} takes them: one native buffer
 * holding every value at its natural alignment (8 bytes for a device pointer, 4 for an int or a float, little
 * endian), and an array of pointers to each value.
 */
final class KernelArguments {

    /** The C parameter types our kernels use. */
    enum Kind {
        POINTER(8),
        INT(4),
        FLOAT(4);

        final int bytes;

        Kind(int bytes) {
            this.bytes = bytes;
        }
    }

    private final List<Kind> kinds = new ArrayList<>();
    private final List<Long> bits = new ArrayList<>();

    /** A device address ({@code const T*}); 0 passes a null pointer. */
    KernelArguments pointer(long address) {
        return add(Kind.POINTER, address);
    }

    KernelArguments integer(int value) {
        return add(Kind.INT, value & 0xFFFF_FFFFL);
    }

    KernelArguments real(float value) {
        return add(Kind.FLOAT, Float.floatToRawIntBits(value) & 0xFFFF_FFFFL);
    }

    private KernelArguments add(Kind kind, long value) {
        kinds.add(kind);
        bits.add(value);
        return this;
    }

    List<Kind> kinds() {
        return List.copyOf(kinds);
    }

    /** Byte offset of each argument in {@link #values()}. */
    int[] offsets() {
        int[] offsets = new int[kinds.size()];
        int at = 0;
        for (int i = 0; i < kinds.size(); i++) {
            int size = kinds.get(i).bytes;
            at = (at + size - 1) / size * size;
            offsets[i] = at;
            at += size;
        }
        return offsets;
    }

    /** Every value at its offset, in a direct buffer the driver can read. */
    ByteBuffer values() {
        int[] offsets = offsets();
        int size = kinds.isEmpty() ? 8 : offsets[offsets.length - 1] + kinds.getLast().bytes;
        ByteBuffer buffer = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < kinds.size(); i++) {
            if (kinds.get(i) == Kind.POINTER) {
                buffer.putLong(offsets[i], bits.get(i));
            } else {
                buffer.putInt(offsets[i], (int) (long) bits.get(i));
            }
        }
        return buffer;
    }

    /** The {@code void**} kernelParams of {@code cuLaunchKernel}. */
    Pointer kernelParams() {
        ByteBuffer values = values();
        int[] offsets = offsets();
        Pointer base = Pointer.to(values);
        Pointer[] each = new Pointer[offsets.length];
        for (int i = 0; i < offsets.length; i++) {
            each[i] = base.withByteOffset(offsets[i]);
        }
        return Pointer.to(each);
    }
}
