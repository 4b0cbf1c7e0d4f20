package dev.sparseinfer.engine.backend.cpu;

import java.util.Arrays;

/**
 * Dynamic per-token int8 quantisation of activations for w8a8 layers: symmetric, the token's largest magnitude
 * maps to 127, round to nearest (ties up, as {@code Math.round}). This scalar version is the reference; the w8a8
 * kernels use {@link VectorQuantizer}.
 */
public final class ActivationQuantizer {

    private ActivationQuantizer() {}

    /** Quantises {@code x[offset .. offset+length-1]} into {@code q[qOffset ..]} and returns the scale (0 for a zero row). */
    public static float quantizeRow(float[] x, int offset, int length, byte[] q, int qOffset) {
        float max = maxAbs(x, offset, length);
        if (max == 0f) {
            Arrays.fill(q, qOffset, qOffset + length, (byte) 0);
            return 0f;
        }
        float inv = 127f / max;
        for (int i = 0; i < length; i++) {
            q[qOffset + i] = (byte) quantize(x[offset + i], inv);
        }
        return max / 127f;
    }

    private static float maxAbs(float[] x, int offset, int length) {
        float max = 0;
        for (int i = 0; i < length; i++) {
            max = Math.max(max, Math.abs(x[offset + i]));
        }
        return max;
    }

    static int quantize(float v, float inv) {
        return Math.max(-127, Math.min(127, Math.round(v * inv)));
    }
}
