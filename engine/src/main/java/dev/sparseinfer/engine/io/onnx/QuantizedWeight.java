package dev.sparseinfer.engine.io.onnx;

import dev.sparseinfer.engine.format.FloatMatrix;
import dev.sparseinfer.engine.format.Int8Scales;
import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.engine.format.Int8Weights;
import java.util.Arrays;

/**
 * A 2-D int8 or uint8 initializer of a quantised graph with its scale and zero point, as ONNX's
 * DequantizeLinear reads them: value {@code (r, c)} is {@code (q[r, c] - zeroPoint[ch]) * scale[ch]}, where
 * {@code ch} is the coordinate along {@code channelAxis}, or 0 when scale and zero point hold one value each.
 *
 * @param node        the node that reads the weight, as {@code Op 'name'}, for messages
 * @param zeroPoint   null where the graph omits it (zero)
 * @param storedInOut whether the values are {@code [in, out]} (MatMul, MatMulInteger) rather than {@code [out, in]}
 */
record QuantizedWeight(
        String node,
        OnnxTensor values,
        OnnxTensor scale,
        OnnxTensor zeroPoint,
        int channelAxis,
        boolean storedInOut,
        Int8Scheme scheme) {

    /** Checks every shape and type against each other, so reading the values later cannot index out of bounds. */
    static QuantizedWeight of(
            String node,
            OnnxTensor values,
            OnnxTensor scale,
            OnnxTensor zeroPoint,
            long axis,
            boolean storedInOut,
            Int8Scheme scheme,
            OnnxModel model) {
        int[] shape = values.shape();
        if (shape.length != 2) {
            throw model.error(node + ": weight '" + values.name() + "' is not 2-D: shape " + Arrays.toString(shape));
        }
        if (!isInt8(values)) {
            throw model.error(node + ": weight '" + values.name() + "' is " + values.typeName()
                    + "; only INT8 and UINT8 weights are read");
        }
        if (axis < -2 || axis > 1) {
            throw model.error(node + ": axis " + axis + " is outside a 2-D weight");
        }
        int channelAxis = (int) (axis < 0 ? axis + 2 : axis);
        if (!scale.isFloatingPoint()) {
            throw model.error(node + ": scale '" + scale.name() + "' is " + scale.typeName() + ", not a float");
        }
        checkChannels(node, "scale", scale, shape[channelAxis], model);
        for (float s : scale.toFloats()) {
            if (!(s >= 0) || Float.isInfinite(s)) {
                throw model.error(
                        node + ": scale '" + scale.name() + "' holds " + s + ", not a finite non-negative number");
            }
        }
        if (zeroPoint != null) {
            checkChannels(node, "zero point", zeroPoint, shape[channelAxis], model);
            if (zeroPoint.dataType() != values.dataType() || zeroPoint.elementCount() != scale.elementCount()) {
                throw model.error(node + ": zero point '" + zeroPoint.name() + "' (" + zeroPoint.typeName() + ", "
                        + zeroPoint.elementCount() + " values) does not match the weight (" + values.typeName()
                        + ") and its " + scale.elementCount() + " scales");
            }
        }
        return new QuantizedWeight(node, values, scale, zeroPoint, channelAxis, storedInOut, scheme);
    }

    static boolean isInt8(OnnxTensor t) {
        return t.dataType() == OnnxTensor.INT8 || t.dataType() == OnnxTensor.UINT8;
    }

    /** One value for the whole tensor, or a 1-D run of one per channel. */
    private static void checkChannels(String node, String what, OnnxTensor t, int channels, OnnxModel model) {
        int[] shape = t.shape();
        boolean perTensor = shape.length <= 1 && t.elementCount() == 1;
        boolean perChannel = shape.length == 1 && shape[0] == channels;
        if (!perTensor && !perChannel) {
            throw model.error(node + ": " + what + " '" + t.name() + "' has shape " + Arrays.toString(shape)
                    + ", expected [] or [" + channels + "]");
        }
    }

    int outFeatures() {
        return values.shape()[storedInOut ? 1 : 0];
    }

    int inFeatures() {
        return values.shape()[storedInOut ? 0 : 1];
    }

    /**
     * Our symmetric per-output-channel int8: the file's integers unchanged where every {@code q - zeroPoint} is in
     * [-127, 127] and the scales are per tensor or per output channel; otherwise the weight dequantised to fp32 and
     * quantised again (see {@link #isExact}).
     */
    Int8Weights toInt8Weights() {
        Levels levels = levels();
        int out = outFeatures();
        int in = inFeatures();
        if (levels.exact(outAxis())) {
            byte[] q = new byte[out * in];
            float[] scales = new float[out];
            for (int o = 0; o < out; o++) {
                scales[o] = levels.scale(storedInOut ? 0 : o, storedInOut ? o : 0);
                for (int i = 0; i < in; i++) {
                    q[o * in + i] = (byte) (storedInOut ? levels.level(i, o) : levels.level(o, i));
                }
            }
            return new Int8Weights(out, in, q, new Int8Scales(scales, scheme));
        }
        return Int8Weights.quantize(new FloatMatrix(out, in, dequantized(levels)), scheme);
    }

    /** Whether {@link #toInt8Weights} keeps the file's integers and scales (reads every value). */
    boolean isExact() {
        return levels().exact(outAxis());
    }

    /** The weight as DequantizeLinear computes it, {@code [out, in]}. */
    float[] dequantized() {
        return dequantized(levels());
    }

    private float[] dequantized(Levels levels) {
        int out = outFeatures();
        int in = inFeatures();
        float[] w = new float[Math.multiplyExact(out, in)];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                int r = storedInOut ? i : o;
                int c = storedInOut ? o : i;
                w[o * in + i] = levels.level(r, c) * levels.scale(r, c);
            }
        }
        return w;
    }

    private int outAxis() {
        return storedInOut ? 1 : 0;
    }

    private Levels levels() {
        float[] scales = scale.toFloats();
        byte[] zeros = zeroPoint == null ? new byte[1] : zeroPoint.toBytes();
        return new Levels(
                values.toBytes(),
                values.shape()[1],
                values.dataType() == OnnxTensor.UINT8,
                scales,
                zeros,
                scales.length == 1 ? -1 : channelAxis);
    }

    /** The stored integers less their zero points; {@code axis} is -1 for per-tensor parameters. */
    private record Levels(byte[] q, int cols, boolean unsigned, float[] scales, byte[] zeros, int axis) {

        int level(int r, int c) {
            int channel = channel(r, c);
            int zero = unsigned ? zeros[channel] & 0xff : zeros[channel];
            int v = unsigned ? q[r * cols + c] & 0xff : q[r * cols + c];
            return v - zero;
        }

        float scale(int r, int c) {
            return scales[channel(r, c)];
        }

        private int channel(int r, int c) {
            return axis < 0 ? 0 : axis == 0 ? r : c;
        }

        boolean exact(int outAxis) {
            if (axis >= 0 && axis != outAxis) {
                return false;
            }
            int rows = q.length / Math.max(cols, 1);
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    int l = level(r, c);
                    if (l < -127 || l > 127) {
                        return false;
                    }
                }
            }
            return true;
        }
    }
}
