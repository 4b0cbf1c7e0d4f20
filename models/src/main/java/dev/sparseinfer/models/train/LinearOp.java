package dev.sparseinfer.models.train;

/**
 * A linear layer {@code y = x W^T + b} ({@code W [out, in]}) and its backward pass, with {@code W} as
 * {@link FakeQuantization} has it; {@code x} is the input as the layer reads it (rounded by the caller under w8a8,
 * once for the layers that share it).
 */
final class LinearOp {

    private LinearOp() {}

    static void forward(
            float[] x, int rows, Parameter weight, Parameter bias, float[] y, Matmul matmul, FakeQuantization q) {
        matmul.abT(x, rows, weight.cols(), q.weights(weight), weight.rows(), bias.value(), y, false);
    }

    /**
     * Adds this layer's gradients to {@code weight.grad()} and {@code bias.grad()} and writes (or, with
     * {@code accumulateDx}, adds) the input gradient into {@code dx}, which may be null when the input needs none.
     * The gradient of a pruned weight is zero: the optimiser then never moves it off zero. Straight-through: the
     * gradients are those of the float layer at the weights and input the forward pass used.
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
            FakeQuantization q) {
        int out = weight.rows();
        int in = weight.cols();
        float[] dyT = new float[rows * out];
        Matmul.transpose(dy, rows, out, dyT);
        if (dx != null) {
            float[] wT = new float[in * out];
            Matmul.transpose(q.weights(weight), out, in, wT);
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
