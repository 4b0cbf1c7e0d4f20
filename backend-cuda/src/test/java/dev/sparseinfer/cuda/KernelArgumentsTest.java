package dev.sparseinfer.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparseinfer.cuda.KernelArguments.Kind;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class KernelArgumentsTest {

    @Test
    void eachValueSitsAtItsNaturalAlignmentInLittleEndian() {
        KernelArguments args = new KernelArguments()
                .pointer(0x0000_7f12_3456_7800L)
                .integer(-3)
                .pointer(0)
                .real(0.125f)
                .integer(7)
                .pointer(0x10L);
        assertEquals(List.of(Kind.POINTER, Kind.INT, Kind.POINTER, Kind.FLOAT, Kind.INT, Kind.POINTER), args.kinds());
        // int after a pointer packs at 8; the next pointer is padded from 12 to 16.
        assertArrayEquals(new int[] {0, 8, 16, 24, 28, 32}, args.offsets());
        ByteBuffer values = args.values();
        assertEquals(40, values.capacity());
        assertEquals(0x0000_7f12_3456_7800L, values.getLong(0));
        assertEquals(0x00, values.get(0), "lowest byte first");
        assertEquals(-3, values.getInt(8));
        assertEquals(0, values.getLong(16));
        assertEquals(0.125f, values.getFloat(24));
        assertEquals(7, values.getInt(28));
        assertEquals(0x10L, values.getLong(32));
        assertEquals(0x10, values.get(32));
    }

    @Test
    void intsAndFloatsPackTightly() {
        KernelArguments args = new KernelArguments().integer(1).real(2f).integer(3);
        assertArrayEquals(new int[] {0, 4, 8}, args.offsets());
        assertEquals(2f, args.values().getFloat(4));
    }
}
