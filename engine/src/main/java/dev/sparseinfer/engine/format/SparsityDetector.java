package dev.sparseinfer.engine.format;

/**
 * Finds the sparse format dense weights already fit: {@link TwoFourWeights} where every group of 4 consecutive inputs
 * of a row has at most 2 non-zeros, else {@link CsrWeights} where at least {@link #CSR_MIN_ZEROS} of the entries are
 * exactly zero, else the weights as they are. Only exact zeros are left out, so a layer computes the same products.
 */
public final class SparsityDetector {

    /**
     * The CPU crossover of CSR over the dense kernel at 32+ tokens (docs/performance.md, "Kernel sweep"); the GPU's
     * crossover is unmeasured and uses the same.
     */
    public static final double CSR_MIN_ZEROS = 0.70;

    private SparsityDetector() {}

    /** The weights in the format they fit, in one pass over them; weights not dense fp32 are returned unchanged. */
    public static LinearWeights detect(LinearWeights weights) {
        if (!(weights instanceof DenseWeights(FloatMatrix matrix)) || matrix.data().length == 0) {
            return weights;
        }
        float[] d = matrix.data();
        boolean twoFour = matrix.cols() % 4 == 0;
        long zeros = 0;
        // With cols a multiple of 4, every run of 4 from a multiple of 4 is one row's group.
        int step = twoFour ? 4 : d.length;
        for (int base = 0; base < d.length; base += step) {
            int end = Math.min(base + step, d.length);
            int nonZeros = 0;
            for (int i = base; i < end; i++) {
                if (d[i] != 0f) {
                    nonZeros++;
                }
            }
            zeros += (end - base) - nonZeros;
            twoFour &= nonZeros <= 2;
        }
        if (twoFour) {
            return TwoFourWeights.fromDense(matrix);
        }
        return zeros >= CSR_MIN_ZEROS * d.length ? CsrWeights.fromDense(matrix) : weights;
    }
}
