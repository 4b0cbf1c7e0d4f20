package dev.sparseinfer.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.format.FloatMatrix;
import dev.sparseinfer.engine.format.TwoFourWeights;
import dev.sparseinfer.engine.testing.Seeds;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Decodes the layout the way the PTX ISA defines the sparse {@code mma.m16n8k32} f16 operand A: lane (g, q)
 * register r holds compressed columns {@code 2q + 8(r >> 1)} and {@code +1} of row {@code g + 8(r & 1)};
 * compressed column c belongs to group {@code c / 2} (inputs {@code 4(c/2) .. 4(c/2)+3}); its 2-bit index is
 * supplied, under sparsity selector 0, by lane pair (g, h = c / 8): bits {@code 2(c % 8)} of the low half for row
 * g, the high half for row g + 8.
 */
class TwoFourFragmentLayoutTest {

    @Test
    void decodesBackToTheWeightsAtOddShapes() {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        int[][] shapes = {{16, 32}, {17, 36}, {5, 4}, {40, 100}, {33, 64}};
        for (int[] shape : shapes) {
            FloatMatrix dense = randomTwoFour(random, shape[0], shape[1]);
            TwoFourFragmentLayout layout = TwoFourFragmentLayout.of(TwoFourWeights.fromDense(dense));
            float[] decoded = decode(layout, shape[0], shape[1]);
            for (int i = 0; i < decoded.length; i++) {
                float expected = Float.float16ToFloat(Float.floatToFloat16(dense.data()[i]));
                assertEquals(
                        expected,
                        decoded[i],
                        0f,
                        "seed " + seed + ", shape " + shape[0] + "x" + shape[1] + ", element " + i);
            }
        }
    }

    @Test
    void padsWithZerosUnderAValidOrderedCode() {
        TwoFourFragmentLayout layout = TwoFourFragmentLayout.of(TwoFourWeights.fromDense(FloatMatrix.zeros(1, 4)));
        assertEquals(1, layout.rowTiles());
        assertEquals(1, layout.kSteps());
        for (int word : layout.meta()) {
            for (int n = 0; n < 8; n++) {
                int code = (word >>> (4 * n)) & 0xF;
                assertTrue((code & 3) < (code >>> 2), "code 0b" + Integer.toBinaryString(code));
            }
        }
    }

    private static FloatMatrix randomTwoFour(Random random, int rows, int cols) {
        FloatMatrix m = FloatMatrix.zeros(rows, cols);
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < cols / 4; g++) {
                int a = random.nextInt(4);
                int b = (a + 1 + random.nextInt(3)) % 4;
                m.data()[r * cols + 4 * g + a] = (float) random.nextGaussian();
                m.data()[r * cols + 4 * g + b] = (float) random.nextGaussian();
            }
        }
        return m;
    }

    private static float[] decode(TwoFourFragmentLayout layout, int rows, int cols) {
        float[] dense = new float[rows * cols];
        for (int mt = 0; mt < layout.rowTiles(); mt++) {
            for (int s = 0; s < layout.kSteps(); s++) {
                int tileStep = mt * layout.kSteps() + s;
                for (int lane = 0; lane < 32; lane++) {
                    int g = lane >>> 2;
                    int q = lane & 3;
                    for (int r = 0; r < 4; r++) {
                        int row = g + 8 * (r & 1);
                        int word = layout.values()[(tileStep * 32 + lane) * 4 + r];
                        for (int e = 0; e < 2; e++) {
                            int c = 2 * q + 8 * (r >>> 1) + e;
                            int metaWord = layout.meta()[tileStep * 16 + 2 * g + c / 8];
                            int half = row >= 8 ? metaWord >>> 16 : metaWord & 0xFFFF;
                            int index = (half >>> (2 * (c % 8))) & 3;
                            int globalRow = mt * 16 + row;
                            int globalCol = s * 32 + 4 * (c / 2) + index;
                            float v = Float.float16ToFloat((short) (word >>> (16 * e)));
                            if (globalRow < rows && globalCol < cols) {
                                dense[globalRow * cols + globalCol] += v;
                            } else {
                                assertEquals(0f, v, "padding holds a non-zero value");
                            }
                        }
                    }
                }
            }
        }
        return dense;
    }
}
