package dev.sparseinfer.models.train;

/**
 * A linear layer {@code y = x W^T + b} ({@code W [out, in]}) and its backward pass. A weight matrix that keeps at
 * most {@link #SPARSE_DENSITY} of its entries runs the sparse products, which skip the pruned ones; the others run
 * the dense kernel with pruned entries as zeros.
 */
final class LinearOp {

    /** The density up to which the sparse products beat the dense kernel (SparseTrainingBenchmark). */
    static final double SPARSE_DENSITY = 0.3;

    private LinearOp() {}

    static void forward(float[] x, int rows, Parameter weight, Parameter bias, float[] y, Matmul matmul) {
        if (runsSparse(weight)) {
            forwardSparse(x, rows, weight, bias, y, matmul);
        } else {
            forwardDense(x, rows, weight, bias, y, matmul);
        }
    }

    static void forwardDense(float[] x, int rows, Parameter weight, Parameter bias, float[] y, Matmul matmul) {
        matmul.abT(x, rows, weight.cols(), weight.value(), weight.rows(), bias.value(), y, false);
    }

    static void forwardSparse(float[] x, int rows, Parameter weight, Parameter bias, float[] y, Matmul matmul) {
        SparseMask mask = weight.sparseMask();
        int out = weight.rows();
        int in = weight.cols();
        float[] xT = new float[in * rows];
        Matmul.transpose(x, rows, in, xT);
        float[] yT = new float[out * rows];
        matmul.sparseRowsTimes(mask.rowStart(), mask.rowCols(), mask.rowIndex(), weight.value(), xT, rows, yT);
        Matmul.transpose(yT, out, rows, y);
        float[] b = bias.value();
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                y[r * out + o] += b[o];
            }
        }
    }

    /**
     * Adds this layer's gradients to {@code weight.grad()} and {@code bias.grad()} and writes (or, with
     * {@code accumulateDx}, adds) the input gradient into {@code dx}, which may be null when the input needs none.
     * The gradient of a pruned weight is zero: the optimiser then never moves it off zero.
     */
    static void backward(
            float[] dy,
            float[] x,
            int rows,
            Parameter weight,
            Parameter bias,
            float[] dx,
            boolean accumulateDx,
            Matmul matmul) {
        backward(dy, x, rows, weight, bias, dx, accumulateDx, matmul, runsSparse(weight));
    }

    /** {@link #backward} on the sparse products or on the dense kernel, whatever the weight's density. */
    static void backward(
            float[] dy,
            float[] x,
            int rows,
            Parameter weight,
            Parameter bias,
            float[] dx,
            boolean accumulateDx,
            Matmul matmul,
            boolean sparse) {
        int out = weight.rows();
        int in = weight.cols();
        float[] dyT = new float[rows * out];
        Matmul.transpose(dy, rows, out, dyT);
        float[] xT = new float[in * rows];
        Matmul.transpose(x, rows, in, xT);
        if (sparse) {
            SparseMask mask = weight.sparseMask();
            if (dx != null) {
                // dX^T[i, t] = sum over kept (o, i) of W[o, i] dY^T[o, t]
                float[] dxT = new float[in * rows];
                matmul.sparseRowsTimes(
                        mask.colStart(), mask.colRows(), mask.colIndex(), weight.value(), dyT, rows, dxT);
                transposeInto(dxT, in, rows, dx, accumulateDx);
            }
            matmul.sparseRowDots(mask.rowStart(), mask.rowCols(), mask.rowIndex(), dyT, xT, rows, weight.grad());
        } else {
            if (dx != null) {
                float[] wT = new float[in * out];
                Matmul.transpose(weight.value(), out, in, wT);
                // dX = dY W = dY (W^T)^T
                matmul.abT(dy, rows, out, wT, in, null, dx, accumulateDx);
            }
            // dW += dY^T X = dY^T (X^T)^T
            matmul.abT(dyT, out, rows, xT, in, null, weight.grad(), true);
            weight.zeroPrunedGradients();
        }
        float[] db = bias.grad();
        for (int o = 0; o < out; o++) {
            float s = 0;
            for (int r = 0; r < rows; r++) {
                s += dyT[o * rows + r];
            }
            db[o] += s;
        }
    }

    static boolean runsSparse(Parameter weight) {
        SparseMask mask = weight.sparseMask();
        return mask != null && mask.density() <= SPARSE_DENSITY;
    }

    private static void transposeInto(float[] src, int rows, int cols, float[] dst, boolean accumulate) {
        if (!accumulate) {
            Matmul.transpose(src, rows, cols, dst);
            return;
        }
        float[] t = new float[rows * cols];
        Matmul.transpose(src, rows, cols, t);
        for (int i = 0; i < t.length; i++) {
            dst[i] += t[i];
        }
    }
}
