package dev.sparseinfer.server;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Base64;

/** Vectors as JSON: arrays of numbers, or base64 of little-endian float32, as OpenAI sends them. */
final class VectorJson {

    private VectorJson() {}

    static void array(StringBuilder out, float[] v) {
        out.append('[');
        for (int i = 0; i < v.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(v[i]);
        }
        out.append(']');
    }

    static void base64(StringBuilder out, float[] v) {
        ByteBuffer bytes = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(v);
        out.append('"')
                .append(Base64.getEncoder().encodeToString(bytes.array()))
                .append('"');
    }

    /** The first {@code dimensions} components, scaled back to unit length where the model's vectors have it. */
    static float[] truncate(float[] v, int dimensions, boolean normalize) {
        float[] out = Arrays.copyOf(v, dimensions);
        if (normalize) {
            normalizeInPlace(out);
        }
        return out;
    }

    static void normalizeInPlace(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        if (sum > 0) {
            float scale = (float) (1 / Math.sqrt(sum));
            for (int i = 0; i < v.length; i++) {
                v[i] *= scale;
            }
        }
    }
}
