package dev.sparseinfer.engine.format;

import java.util.function.IntPredicate;

/**
 * Finds the sparse format dense weights already fit: 2:4 where every group of 4 consecutive inputs of a row has at
 * most 2 non-zeros, else CSR where at least {@link #CSR_MIN_ZEROS} of the entries are exactly zero, else the weights
 * as they are. Dense fp32 weights become {@link TwoFourWeights} or {@link CsrWeights}, dense int8 weights
 * {@link TwoFourInt8Weights} or {@link CsrInt8Weights} with the same integers and scales. Only exact zeros are left
 * out, so a layer computes the same products.
 */
public final class SparsityDetector {

    /**
     * The CPU crossover of CSR over the dense kernel at 32+ tokens (docs/performance.md, "Kernel sweep"); the GPU's
     * crossover is unmeasured and uses the same.
     */
    public static final double CSR_MIN_ZEROS = 0.70;

    private enum Fit {
        TWO_FOUR,
        CSR,
        DENSE
    }

    private SparsityDetector() {}

    /** The weights in the format they fit; weights neither dense fp32 nor dense int8 are returned unchanged. */
    public static LinearWeights detect(LinearWeights weights) {
        if (weights instanceof DenseWeights(FloatMatrix matrix) && matrix.data().length > 0) {
            float[] d = matrix.data();
            return switch (fit(matrix.cols(), d.length, i -> d[i] == 0f)) {
                case TWO_FOUR -> TwoFourWeights.fromDense(matrix);
                case CSR -> CsrWeights.fromDense(matrix);
                case DENSE -> weights;
            };
        }
        if (weights instanceof Int8Weights int8 && int8.values().length > 0) {
            byte[] v = int8.values();
            Fit fit = fit(int8.inFeatures(), v.length, i -> v[i] == 0);
            if (fit == Fit.DENSE) {
                return weights;
            }
            // The integers as floats, exactly: the fp32 formats' builders then find the pattern and its values.
            float[] levels = new float[v.length];
            for (int i = 0; i < levels.length; i++) {
                levels[i] = v[i];
            }
            FloatMatrix matrix = new FloatMatrix(int8.outFeatures(), int8.inFeatures(), levels);
            return switch (fit) {
                case TWO_FOUR -> {
                    TwoFourWeights w = TwoFourWeights.fromDense(matrix);
                    yield new TwoFourInt8Weights(w.pattern(), bytes(w.values()), int8.scales());
                }
                case CSR -> {
                    CsrWeights w = CsrWeights.fromDense(matrix);
                    yield new CsrInt8Weights(w.pattern(), bytes(w.values()), int8.scales());
                }
                case DENSE -> weights;
            };
        }
        return weights;
    }

    /** One pass over the {@code length} row-major entries of a matrix {@code cols} wide. */
    private static Fit fit(int cols, int length, IntPredicate isZero) {
        boolean twoFour = cols % 4 == 0;
        long zeros = 0;
        // With cols a multiple of 4, every run of 4 from a multiple of 4 is one row's group.
        int step = twoFour ? 4 : length;
        for (int base = 0; base < length; base += step) {
            int end = Math.min(base + step, length);
            int nonZeros = 0;
            for (int i = base; i < end; i++) {
                if (!isZero.test(i)) {
                    nonZeros++;
                }
            }
            zeros += (end - base) - nonZeros;
            twoFour &= nonZeros <= 2;
        }
        if (twoFour) {
            return Fit.TWO_FOUR;
        }
        return zeros >= CSR_MIN_ZEROS * length ? Fit.CSR : Fit.DENSE;
    }

    private static byte[] bytes(float[] levels) {
        byte[] b = new byte[levels.length];
        for (int i = 0; i < levels.length; i++) {
            b[i] = (byte) levels[i];
        }
        return b;
    }
}
