package dev.sparseinfer.engine.format;

import dev.sparseinfer.engine.api.SparseInferException;

/**
 * Symmetric per-output-channel int8 quantisation: weight {@code (o, i)} is {@code values[..] * scales[o]}, with
 * values in [-127, 127] (never -128, so negation cannot overflow and the range is symmetric).
 */
public record Int8Scales(float[] scales, Int8Scheme scheme) {

    public Int8Scales {
        checkFinite(scales, "output");
    }

    /** Scales must be finite and non-negative; {@code row} names what each scale belongs to in the error. */
    static void checkFinite(float[] scales, String row) {
        for (int o = 0; o < scales.length; o++) {
            if (!(scales[o] >= 0) || Float.isInfinite(scales[o])) {
                throw SparseInferException.invalidModel("int8 scale of " + row + " " + o + " is " + scales[o]);
            }
        }
    }

    /** The scale that maps a row's largest magnitude to 127 (0 for an all-zero row). */
    public static float scaleFor(float maxAbs) {
        return maxAbs / 127f;
    }

    /** Rounds {@code w / scale} to the nearest int8 in [-127, 127]. */
    public static byte quantize(float w, float scale) {
        if (scale == 0f) {
            return 0;
        }
        return (byte) Math.max(-127, Math.min(127, Math.round(w / scale)));
    }

    static void checkValues(byte[] values, String what) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == Byte.MIN_VALUE) {
                throw SparseInferException.invalidModel(
                        what + ": int8 value -128 at " + i + " (symmetric range is [-127, 127])");
            }
        }
    }

    static void checkLength(float[] scales, int outFeatures, String what) {
        if (scales.length != outFeatures) {
            throw SparseInferException.invalidModel(
                    what + ": " + scales.length + " scales for " + outFeatures + " outputs");
        }
    }
}
