package dev.sparseinfer.models.train;

/**
 * A linear layer {@code y = x W^T + b} ({@code W [out, in]}) and its backward pass, with {@code W} as
 * {@link FakeQuantization} has it; {@code x} is the input as the layer reads it (rounded by the caller under w8a8,
 * once for the layers that share it). A weight matrix that keeps at most {@link #SPARSE_DENSITY} of its entries runs
 * the sparse products, which skip the pruned ones; the others run the dense kernel with pruned entries as zeros.
 */
final class LinearOp {

    /** The density up to which the sparse products beat the dense kernel (SparseTrainingBenchmark). */
    static final double SPARSE_DENSITY = 0.25;

    private LinearOp() {}

    static void forward(
            float[] x, int rows, Parameter weight, Parameter bias, float[] y, Matmul matmul, FakeQuantization q) {
        if (runsSparse(weight)) {
            forwardSparse(x, rows, weight, q.weights(weight), bias, y, matmul);
        } else {
            forwardDense(x, rows, weight, q.weights(weight), bias, y, matmul);
        }
    }

    /** The forward pass on the dense kernel, with {@code w} as the weight's values. */
    static void forwardDense(
            float[] x, int rows, Parameter weight, float[] w, Parameter bias, float[] y, Matmul matmul) {
        matmul.abT(x, rows, weight.cols(), w, weight.rows(), bias.value(), y, false);
    }

    /** The forward pass on the sparse products, with {@code w} as the weight's values. */
    static void forwardSparse(
            float[] x, int rows, Parameter weight, float[] w, Parameter bias, float[] y, Matmul matmul) {
        SparseMask mask = weight.sparseMask();
        int out = weight.rows();
        int in = weight.cols();
        float[] xT = new float[in * rows];
        Matmul.transpose(x, rows, in, xT);
        float[] yT = new float[out * rows];
        matmul.sparseRowsTimes(mask.rowStart(), mask.rowCols(), mask.rowIndex(), w, xT, rows, yT);
        Matmul.transpose(yT, out, rows, y);
        float[] b = bias.value();
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                y[r * out + o] += b[o];
            }
        }
    }

    /**
     * Adds this layer's gradients to {@code gradients}' arrays for {@code weight} and {@code bias} and writes (or,
     * with {@code accumulateDx}, adds) the input gradient into {@code dx}, which may be null when the input needs
     * none. The gradient of a pruned weight is zero: the optimiser then never moves it off zero. Straight-through:
     * the gradients are those of the float layer at the weights and input the forward pass used.
     */
    static void backward(
            float[] dy,
            float[] x,
            int rows,
            Parameter weight,
            Parameter bias,
            float[] dx,
            boolean accumulateDx,
            Matmul matmul,
            FakeQuantization q,
            Gradients gradients) {
        backward(dy, x, rows, weight, q.weights(weight), bias, dx, accumulateDx, matmul, runsSparse(weight), gradients);
    }

    /**
     * {@link #backward} with {@code w} as the weight's values, on the sparse products or on the dense kernel,
     * whatever the weight's density, adding the parameter gradients to {@code gradients}' arrays.
     */
    static void backward(
            float[] dy,
            float[] x,
            int rows,
            Parameter weight,
            float[] w,
            Parameter bias,
            float[] dx,
            boolean accumulateDx,
            Matmul matmul,
            boolean sparse,
            Gradients gradients) {
        float[] dw = gradients.of(weight);
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
                matmul.sparseRowsTimes(mask.colStart(), mask.colRows(), mask.colIndex(), w, dyT, rows, dxT);
                transposeInto(dxT, in, rows, dx, accumulateDx);
            }
            matmul.sparseRowDots(mask.rowStart(), mask.rowCols(), mask.rowIndex(), dyT, xT, rows, dw);
        } else {
            if (dx != null) {
                float[] wT = new float[in * out];
                Matmul.transpose(w, out, in, wT);
                // dX = dY W = dY (W^T)^T
                matmul.abT(dy, rows, out, wT, in, null, dx, accumulateDx);
            }
            // dW += dY^T X = dY^T (X^T)^T
            matmul.abT(dyT, out, rows, xT, in, null, dw, true);
            weight.zeroPrunedIn(dw);
        }
        float[] db = gradients.of(bias);
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
