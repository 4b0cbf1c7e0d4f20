package dev.sparseinfer.models.train;

import dev.sparseinfer.engine.backend.cpu.ActivationQuantizer;
import dev.sparseinfer.engine.format.FloatMatrix;
import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.engine.format.Int8Weights;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the student's linear layers compute with during quantisation-aware training: their weights rounded to int8
 * per output channel and back, and under w8a8 each input rounded to int8 per token and back, by the engine's own
 * quantisers ({@link Int8Weights}, {@link ActivationQuantizer}), so the forward pass is the int8 model's up to the
 * order of float sums. The backward pass is straight-through: it is the float model's at the rounded point, and the
 * optimiser updates the float weights. A pruned weight rounds to exactly zero.
 */
final class FakeQuantization {

    /** Plain fp32 training. */
    static final FakeQuantization NONE = new FakeQuantization(null, Map.of());

    private final Int8Scheme scheme;
    private final Map<Parameter, float[]> weights;

    private FakeQuantization(Int8Scheme scheme, Map<Parameter, float[]> weights) {
        this.scheme = scheme;
        this.weights = weights;
    }

    /** Rounds {@code linearWeights} now: they stay fixed for the forward and backward passes of one step. */
    static FakeQuantization of(Int8Scheme scheme, List<Parameter> linearWeights) {
        Map<Parameter, float[]> rounded = new IdentityHashMap<>();
        for (Parameter p : linearWeights) {
            rounded.put(p, roundedWeights(p.value(), p.rows(), p.cols()));
        }
        return new FakeQuantization(scheme, rounded);
    }

    /** The weights {@code weight}'s layer computes with. */
    float[] weights(Parameter weight) {
        if (scheme == null) {
            return weight.value();
        }
        float[] w = weights.get(weight);
        if (w == null) {
            throw new IllegalArgumentException(weight.name() + " was not rounded for this step");
        }
        return w;
    }

    /** The input a linear layer reads for {@code x} ({@code [rows, cols]}): rounded per token under w8a8. */
    float[] input(float[] x, int rows, int cols) {
        return scheme == Int8Scheme.W8A8 ? roundedTokens(x, rows, cols) : x;
    }

    /** {@code w} ({@code [rows, cols]}) quantised per row by the engine's {@link Int8Weights#quantize}, then dequantised. */
    static float[] roundedWeights(float[] w, int rows, int cols) {
        return Int8Weights.quantize(new FloatMatrix(rows, cols, w), Int8Scheme.W8)
                .toDense()
                .data();
    }

    /** {@code x} ({@code [rows, cols]}) rounded per row as the w8a8 kernels round their input, then dequantised. */
    static float[] roundedTokens(float[] x, int rows, int cols) {
        float[] out = new float[x.length];
        byte[] q = new byte[cols];
        for (int r = 0; r < rows; r++) {
            float scale = ActivationQuantizer.quantizeRow(x, r * cols, cols, q, 0);
            for (int i = 0; i < cols; i++) {
                out[r * cols + i] = q[i] * scale;
            }
        }
        return out;
    }
}
