package dev.sparseinfer.models.train;

import java.util.Arrays;

/**
 * One trainable tensor ({@code rows x cols}, row-major; a vector has one row), its gradient, and for a weight
 * matrix the mask of pruned entries, which stay exactly zero: their gradient is zeroed and the optimiser re-zeroes
 * them after each update.
 */
final class Parameter {

    private final String name;
    private final int rows;
    private final int cols;
    private final float[] value;
    private final float[] grad;
    private boolean[] pruned;
    private SparseMask sparseMask;

    Parameter(String name, int rows, int cols, float[] value) {
        if (value.length != rows * cols) {
            throw new IllegalArgumentException(name + ": " + value.length + " values for " + rows + "x" + cols);
        }
        this.name = name;
        this.rows = rows;
        this.cols = cols;
        this.value = value;
        this.grad = new float[value.length];
    }

    String name() {
        return name;
    }

    int rows() {
        return rows;
    }

    int cols() {
        return cols;
    }

    float[] value() {
        return value;
    }

    float[] grad() {
        return grad;
    }

    /** Null when nothing is pruned or this is not a prunable matrix. */
    boolean[] pruned() {
        return pruned;
    }

    boolean prunable() {
        return rows > 1;
    }

    /** The kept entries listed for the sparse products; null when nothing is pruned. */
    SparseMask sparseMask() {
        if (pruned != null && sparseMask == null) {
            sparseMask = SparseMask.of(pruned, rows, cols);
        }
        return sparseMask;
    }

    /** Prunes {@code mask}'s entries (and keeps those already pruned): zeroes them now and from now on. */
    void prune(boolean[] mask) {
        sparseMask = null;
        if (mask.length != value.length) {
            throw new IllegalArgumentException(name + ": mask of " + mask.length + " for " + value.length + " values");
        }
        if (pruned == null) {
            pruned = new boolean[value.length];
        }
        for (int i = 0; i < value.length; i++) {
            pruned[i] |= mask[i];
            if (pruned[i]) {
                value[i] = 0f;
            }
        }
    }

    /** Zeroes the pruned entries of {@code gradient}, this parameter's own gradient or a buffer of its shape. */
    void zeroPrunedIn(float[] gradient) {
        if (pruned != null) {
            for (int i = 0; i < gradient.length; i++) {
                if (pruned[i]) {
                    gradient[i] = 0f;
                }
            }
        }
    }

    void zeroPrunedValues() {
        if (pruned != null) {
            for (int i = 0; i < value.length; i++) {
                if (pruned[i]) {
                    value[i] = 0f;
                }
            }
        }
    }

    void clearGrad() {
        Arrays.fill(grad, 0f);
    }

    /** The fraction of entries pruned. */
    double sparsity() {
        if (pruned == null) {
            return 0;
        }
        int n = 0;
        for (boolean p : pruned) {
            n += p ? 1 : 0;
        }
        return (double) n / pruned.length;
    }
}
