package dev.sparseinfer.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sparseinfer.engine.testing.Seeds;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The native int8 kernels against Java's int arithmetic, exactly, on every instruction set this CPU runs (each
 * forced in turn, whatever the backend would pick): products at odd shapes (inputs not a multiple of 4, 16 or 64,
 * 1, 3 or 17 tokens, odd output counts, output ranges that start or end inside a panel), and the quantiser against
 * {@link ActivationQuantizer}, bit for bit.
 */
class NativeInt8LibraryTest {

    private static List<NativeInt8Isa> isas;

    @BeforeAll
    static void loadLibrary() {
        assumeTrue(
                NativeInt8Library.class.getResource(NativeInt8Library.RESOURCE) != null,
                "the native int8 library was not built (no gcc, or not Linux x86-64)");
        int levels = NativeInt8Library.levels();
        isas = new ArrayList<>();
        for (NativeInt8Isa isa : NativeInt8Isa.values()) {
            if (isa.supportedBy(levels)) {
                isas.add(isa);
            }
        }
        assumeTrue(!isas.isEmpty(), "this CPU runs none of the native int8 kernels");
    }

    @ParameterizedTest
    @CsvSource({
        "1, 1, 1",
        "1, 5, 3",
        "3, 383, 67",
        "17, 387, 129",
        "3, 17, 65",
        "1, 63, 64",
        "17, 65, 385",
        "6, 1537, 7",
        "13, 4, 131",
        "7, 100, 1",
    })
    void productsAreExactSumsOfInt8Products(int rows, int in, int out) {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        byte[] weights = codes(random, out * in);
        byte[] a = codes(random, rows * in);
        long[] expected = reference(a, weights, rows, in, out);
        for (NativeInt8Isa isa : isas) {
            int[][] ranges = {{0, out}, {0, Math.min(out, 64)}, {Math.min(out, 64), out}};
            for (int[] range : ranges) {
                int[] c = gemm(isa, a, weights, rows, in, out, range[0], range[1]);
                for (int r = 0; r < rows; r++) {
                    for (int o = 0; o < out; o++) {
                        long want = o >= range[0] && o < range[1] ? expected[r * out + o] : -1;
                        assertEquals(
                                want,
                                c[r * out + o],
                                isa.label() + " [" + rows + "x" + in + "] -> " + out + ", outputs " + range[0] + ".."
                                        + range[1] + ": sum (" + r + ", " + o + ") (seed=" + seed + ")");
                    }
                }
            }
        }
    }

    /**
     * Every product at the extremes, where {@code vpmaddubsw} would saturate a pair sum of unsigned activations
     * (2 * 254 * 127) and the AVX-512 offset of 128 reaches its largest correction.
     */
    @Test
    void extremeCodesDoNotSaturate() {
        int rows = 3;
        int in = 1541;
        int out = 70;
        byte[] weights = new byte[out * in];
        byte[] a = new byte[rows * in];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                weights[o * in + i] = (byte) (o % 2 == 0 ? 127 : -127);
            }
        }
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < in; i++) {
                a[r * in + i] = (byte) (r == 0 ? 127 : r == 1 ? -127 : (i % 2 == 0 ? 127 : -127));
            }
        }
        long[] expected = reference(a, weights, rows, in, out);
        assertEquals(127L * 127 * in, expected[0]);
        for (NativeInt8Isa isa : isas) {
            int[] c = gemm(isa, a, weights, rows, in, out, 0, out);
            for (int k = 0; k < expected.length; k++) {
                assertEquals(expected[k], c[k], isa.label() + ": sum " + k);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"1, 1", "3, 5", "17, 383", "2, 16", "4, 1537", "5, 33"})
    void quantisesTokensAsTheJavaReferenceDoes(int rows, int in) {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        float[] x = Seeds.gaussian(random, rows * in, 3);
        // Ties for the rounding: a token whose largest value is 127, so x * 127 / max is x itself, with halves.
        if (rows > 1) {
            for (int i = 0; i < in; i++) {
                x[in + i] = (i % 2 == 0 ? 0.5f : -2.5f) + (i % 7);
            }
            x[in] = 127f;
        }
        if (rows > 2) {
            java.util.Arrays.fill(x, 2 * in, 3 * in, 0f);
        }
        int padded = (in + 3) / 4 * 4;
        for (NativeInt8Isa isa : isas) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment codes = arena.allocate((long) rows * padded);
                float[] scales = new float[rows];
                int[] sums = new int[rows];
                NativeInt8Library.quantize(isa, x, rows, in, codes, scales, sums);
                for (int r = 0; r < rows; r++) {
                    byte[] want = new byte[in];
                    float scale = ActivationQuantizer.quantizeRow(x, r * in, in, want, 0);
                    byte[] got = codes.asSlice((long) r * padded, in).toArray(ValueLayout.JAVA_BYTE);
                    String where = isa.label() + " token " + r + " of [" + rows + "x" + in + "] (seed=" + seed + ")";
                    assertArrayEquals(want, got, where);
                    assertEquals(Float.floatToIntBits(scale), Float.floatToIntBits(scales[r]), where);
                    int sum = 0;
                    for (byte b : want) {
                        sum += b;
                    }
                    assertEquals(sum, sums[r], where);
                    for (int i = in; i < padded; i++) {
                        assertEquals(0, codes.get(ValueLayout.JAVA_BYTE, (long) r * padded + i), where + " padding");
                    }
                }
            }
        }
    }

    /** Random codes in [-127, 127], a third of them at the ends of the range. */
    private static byte[] codes(Random random, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (random.nextInt(3) == 0 ? (random.nextBoolean() ? 127 : -127) : random.nextInt(255) - 127);
        }
        return b;
    }

    private static long[] reference(byte[] a, byte[] w, int rows, int in, int out) {
        long[] c = new long[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                long s = 0;
                for (int i = 0; i < in; i++) {
                    s += a[r * in + i] * w[o * in + i];
                }
                c[r * out + o] = s;
            }
        }
        return c;
    }

    /** The kernel's sums for outputs {@code from..to-1}; the others keep the -1 they start with. */
    private static int[] gemm(
            NativeInt8Isa isa, byte[] a, byte[] weights, int rows, int in, int out, int from, int to) {
        int padded = (in + 3) / 4 * 4;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment packed = arena.allocate(NativeInt8Library.packedBytes(out, in), 64);
            NativeInt8Library.pack(isa, weights, out, in, packed);
            MemorySegment codes = arena.allocate((long) rows * padded);
            int[] sums = new int[rows];
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < in; i++) {
                    codes.set(ValueLayout.JAVA_BYTE, (long) r * padded + i, a[r * in + i]);
                    sums[r] += a[r * in + i];
                }
            }
            int[] c = new int[rows * out];
            java.util.Arrays.fill(c, -1);
            NativeInt8Library.gemmI32(isa, codes, sums, rows, in, packed, out, from, to, c);
            return c;
        }
    }
}
