package dev.sparseinfer.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class Int8RowPackingTest {

    @Test
    void fourValuesPerWordFirstInTheLowByteRowsZeroPadded() {
        byte[] values = {1, -2, 3, 4, 5, /* row 1 */ -127, 0, 127, 9, -1};
        int[] packed = Int8RowPacking.pack(values, 2, 5);
        assertEquals(2, Int8RowPacking.words(5));
        assertArrayEquals(new int[] {0x0403FE01, 0x00000005, 0x097F0081, 0x000000FF}, packed);
    }

    @Test
    void wordsRoundUp() {
        assertEquals(1, Int8RowPacking.words(1));
        assertEquals(1, Int8RowPacking.words(4));
        assertEquals(96, Int8RowPacking.words(384));
        assertEquals(97, Int8RowPacking.words(385));
    }
}
