package dev.sparseinfer.models.train;

/** A linear layer {@code y = x W^T + b} ({@code W [out, in]}) and its backward pass. */
final class LinearOp {

    private LinearOp() {}

    static void forward(float[] x, int rows, Parameter weight, Parameter bias, float[] y, Matmul matmul) {
        matmul.abT(x, rows, weight.cols(), weight.value(), weight.rows(), bias.value(), y, false);
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
        int out = weight.rows();
        int in = weight.cols();
        float[] dyT = new float[rows * out];
        Matmul.transpose(dy, rows, out, dyT);
        if (dx != null) {
            float[] wT = new float[in * out];
            Matmul.transpose(weight.value(), out, in, wT);
            // dX = dY W = dY (W^T)^T
            matmul.abT(dy, rows, out, wT, in, null, dx, accumulateDx);
        }
        float[] xT = new float[in * rows];
        Matmul.transpose(x, rows, in, xT);
        // dW += dY^T X = dY^T (X^T)^T
        matmul.abT(dyT, out, rows, xT, in, null, weight.grad(), true);
        weight.zeroPrunedGradients();
        float[] db = bias.grad();
        for (int o = 0; o < out; o++) {
            float s = 0;
            for (int r = 0; r < rows; r++) {
                s += dyT[o * rows + r];
            }
            db[o] += s;
        }
    }
}
