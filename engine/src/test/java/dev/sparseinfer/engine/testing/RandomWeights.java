package dev.sparseinfer.engine.testing;

import dev.sparseinfer.engine.format.FloatMatrix;
import java.util.Random;

/** Random dense matrices with random unstructured or 2:4 sparsity. */
public final class RandomWeights {

    private RandomWeights() {}

    public static FloatMatrix dense(Random random, int rows, int cols) {
        return new FloatMatrix(rows, cols, Seeds.gaussian(random, rows * cols, 1 / Math.sqrt(cols)));
    }

    /** Zeros each entry with probability {@code sparsity}. */
    public static FloatMatrix unstructured(Random random, int rows, int cols, double sparsity) {
        FloatMatrix m = dense(random, rows, cols);
        for (int i = 0; i < m.data().length; i++) {
            if (random.nextDouble() < sparsity) {
                m.data()[i] = 0f;
            }
        }
        return m;
    }

    /** Keeps 2 random positions of every group of 4 columns (occasionally fewer, as after pruning zeros). */
    public static FloatMatrix twoFour(Random random, int rows, int cols) {
        FloatMatrix m = dense(random, rows, cols);
        for (int g = 0; g < m.data().length / 4; g++) {
            int keepA = random.nextInt(4);
            int keepB = (keepA + 1 + random.nextInt(3)) % 4;
            for (int j = 0; j < 4; j++) {
                boolean kept = (j == keepA || j == keepB) && random.nextInt(50) != 0;
                if (!kept) {
                    m.data()[4 * g + j] = 0f;
                }
            }
        }
        return m;
    }
}
