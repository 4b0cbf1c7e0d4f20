package dev.sparseinfer.engine.backend.cpu;

/**
 * Dynamic per-token int8 quantisation of activations for w8a8 layers: symmetric, the token's largest magnitude
 * maps to 127, round to nearest.
 */
public final class ActivationQuantizer {

    private ActivationQuantizer() {
    }

    /** Quantises {@code x[offset .. offset+length-1]} into {@code q[qOffset ..]} and returns the scale (0 for a zero row). */
    public static float quantizeRow(float[] x, int offset, int length, byte[] q, int qOffset) {
        float max = 0;
        for (int i = 0; i < length; i++) {
            max = Math.max(max, Math.abs(x[offset + i]));
        }
        if (max == 0f) {
            java.util.Arrays.fill(q, qOffset, qOffset + length, (byte) 0);
            return 0f;
        }
        float scale = max / 127f;
        float inv = 127f / max;
        for (int i = 0; i < length; i++) {
            q[qOffset + i] = (byte) Math.max(-127, Math.min(127, Math.round(x[offset + i] * inv)));
        }
        return scale;
    }
}
