package dev.sparseinfer.engine.io.hf;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.format.DenseWeights;
import dev.sparseinfer.engine.format.FloatMatrix;
import dev.sparseinfer.engine.format.FloatTable;
import dev.sparseinfer.engine.format.FloatTensor;
import dev.sparseinfer.engine.format.Int8Scales;
import dev.sparseinfer.engine.format.Int8Weights;
import dev.sparseinfer.engine.format.LinearWeights;
import dev.sparseinfer.engine.io.WeightSource;
import dev.sparseinfer.engine.io.safetensors.DType;
import dev.sparseinfer.engine.io.safetensors.SafetensorsSource;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The tensors of a {@code compressed-tensors} checkpoint as the plain ones they stand for. A bitmask-compressed
 * weight {@code P.weight} is stored as {@code P.shape} (its dense shape), {@code P.bitmask} (one bit per entry, rows
 * of {@code ceil(cols / 8)} bytes, least significant bit first) and {@code P.compressed} (the entries whose bit is
 * set, in row-major order); {@code sparse-bitmask} adds {@code P.row_offsets}, which the bitmask already implies. An
 * int8 weight is {@code P.weight} (I8) with {@code P.weight_scale} (one per output channel, or one in all) and an
 * optional {@code P.weight_zero_point}; both compressions together store the int8 values bitmask-compressed.
 * Unpacked weights come out dense, so the loader's sparsity detection puts them in the 2:4 or CSR format they fit.
 */
public final class CompressedTensorsSource implements WeightSource {

    private static final List<String> BITMASK_PARTS = List.of(".shape", ".bitmask", ".compressed", ".row_offsets");
    private static final String SCALE = ".weight_scale";
    private static final String ZERO_POINT = ".weight_zero_point";

    private final SafetensorsSource stored;
    private final CompressedTensorsConfig config;
    private final Set<String> names;

    public CompressedTensorsSource(SafetensorsSource stored, CompressedTensorsConfig config) {
        this.stored = stored;
        this.config = config;
        Set<String> visible = new LinkedHashSet<>();
        for (String name : stored.names()) {
            if (name.endsWith(".bitmask")) {
                visible.add(prefix(name, ".bitmask") + ".weight");
            } else if (BITMASK_PARTS.stream().noneMatch(name::endsWith)) {
                visible.add(name);
            }
        }
        this.names = Set.copyOf(visible);
    }

    @Override
    public String source() {
        return stored.source();
    }

    @Override
    public Set<String> names() {
        return names;
    }

    @Override
    public FloatTensor tensor(String name) {
        if (name.endsWith(".weight") && isBitmasked(prefix(name, ".weight"))) {
            String prefix = prefix(name, ".weight");
            int[] shape = denseShape(prefix);
            return new FloatTensor(name, shape, dequantized(prefix, unpack(prefix, shape), shape[0]));
        }
        if (name.endsWith(".weight") && isQuantized(prefix(name, ".weight"))) {
            String prefix = prefix(name, ".weight");
            int[] shape = stored.shape(name);
            return new FloatTensor(
                    name, shape, dequantized(prefix, stored.tensor(name).data(), shape[0]));
        }
        return stored.tensor(name);
    }

    @Override
    public int[] shape(String name) {
        if (name.endsWith(".weight") && isBitmasked(prefix(name, ".weight"))) {
            return denseShape(prefix(name, ".weight"));
        }
        return stored.shape(name);
    }

    @Override
    public FloatTable table(String name) {
        return stored.table(name);
    }

    @Override
    public LinearWeights linear(String prefix) {
        boolean bitmasked = isBitmasked(prefix);
        if (!isQuantized(prefix)) {
            return bitmasked ? new DenseWeights(matrix(tensor(prefix + ".weight"))) : WeightSource.super.linear(prefix);
        }
        int[] shape = bitmasked ? denseShape(prefix) : stored.shape(prefix + ".weight");
        String valuesName = prefix + (bitmasked ? ".compressed" : ".weight");
        DType type = stored.file(valuesName).info(valuesName).dtype();
        if (type != DType.I8) {
            throw error(valuesName, "is " + type + ", but int8 weights with scales must be I8");
        }
        float[] levels = bitmasked
                ? unpack(prefix, shape)
                : stored.tensor(prefix + ".weight").data();
        return int8(prefix, levels, shape[0], shape[1]);
    }

    /**
     * The file's integers and scales unchanged where every level lies in our symmetric [-127, 127]; an output channel
     * holding -128 (the file's range is [-128, 127]) is dequantised and quantised again, and only that channel.
     */
    private Int8Weights int8(String prefix, float[] levels, int out, int in) {
        float[] scales = scales(prefix, out);
        float[] zeroPoints = zeroPoints(prefix, out);
        byte[] q = new byte[levels.length];
        float[] channelScales = new float[out];
        for (int o = 0; o < out; o++) {
            float zero = zeroPoints[o];
            boolean exact = true;
            for (int i = 0; i < in; i++) {
                float level = levels[o * in + i] - zero;
                exact &= level >= -127 && level <= 127;
            }
            if (exact) {
                channelScales[o] = scales[o];
                for (int i = 0; i < in; i++) {
                    q[o * in + i] = (byte) (levels[o * in + i] - zero);
                }
            } else {
                float max = 0;
                for (int i = 0; i < in; i++) {
                    max = Math.max(max, Math.abs((levels[o * in + i] - zero) * scales[o]));
                }
                channelScales[o] = Int8Scales.scaleFor(max);
                for (int i = 0; i < in; i++) {
                    q[o * in + i] = Int8Scales.quantize((levels[o * in + i] - zero) * scales[o], channelScales[o]);
                }
            }
        }
        return new Int8Weights(out, in, q, new Int8Scales(channelScales, config.activations()));
    }

    private float[] dequantized(String prefix, float[] levels, int out) {
        if (!isQuantized(prefix)) {
            return levels;
        }
        float[] scales = scales(prefix, out);
        float[] zeroPoints = zeroPoints(prefix, out);
        int in = levels.length / Math.max(1, out);
        float[] w = new float[levels.length];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                w[o * in + i] = (levels[o * in + i] - zeroPoints[o]) * scales[o];
            }
        }
        return w;
    }

    /** One scale per output channel, a per-tensor scale repeated. */
    private float[] scales(String prefix, int out) {
        float[] scales = perChannel(prefix + SCALE, out);
        for (float s : scales) {
            if (!(s >= 0) || Float.isInfinite(s)) {
                throw error(prefix + SCALE, "holds " + s + ", not a finite non-negative number");
            }
        }
        return scales;
    }

    private float[] zeroPoints(String prefix, int out) {
        return stored.has(prefix + ZERO_POINT) ? perChannel(prefix + ZERO_POINT, out) : new float[out];
    }

    private float[] perChannel(String name, int out) {
        float[] values = stored.tensor(name).data();
        if (values.length == 1) {
            float[] repeated = new float[out];
            Arrays.fill(repeated, values[0]);
            return repeated;
        }
        if (values.length != out) {
            throw error(name, "has " + values.length + " values for " + out + " output channels");
        }
        return values;
    }

    /** The dense entries: the stored non-zeros placed where the bitmask's bits are set, zero elsewhere. */
    private float[] unpack(String prefix, int[] shape) {
        int rows = shape[0];
        int cols = shape[1];
        int bytesPerRow = (cols + 7) / 8;
        int[] maskShape = stored.shape(prefix + ".bitmask");
        if (maskShape.length != 2 || maskShape[0] != rows || maskShape[1] != bytesPerRow) {
            throw error(
                    prefix + ".bitmask",
                    "has shape " + Arrays.toString(maskShape) + ", expected [" + rows + ", " + bytesPerRow + "] for a ["
                            + rows + ", " + cols + "] weight");
        }
        int[] mask = stored.file(prefix + ".bitmask").readInts(prefix + ".bitmask");
        float[] nonZeros = stored.tensor(prefix + ".compressed").data();
        float[] dense = new float[Math.multiplyExact(rows, cols)];
        int next = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                if ((mask[r * bytesPerRow + c / 8] >> (c % 8) & 1) != 0) {
                    if (next == nonZeros.length) {
                        throw error(
                                prefix + ".compressed",
                                "holds " + nonZeros.length + " values, fewer than the bits set in " + prefix
                                        + ".bitmask");
                    }
                    dense[r * cols + c] = nonZeros[next++];
                }
            }
        }
        if (next != nonZeros.length) {
            throw error(
                    prefix + ".compressed",
                    "holds " + nonZeros.length + " values for " + next + " bits set in " + prefix + ".bitmask");
        }
        return dense;
    }

    private int[] denseShape(String prefix) {
        float[] shape = stored.tensor(prefix + ".shape").data();
        if (shape.length != 2
                || !(shape[0] >= 1 && shape[1] >= 1)
                || shape[0] * (double) shape[1] > Integer.MAX_VALUE) {
            throw error(prefix + ".shape", "holds " + Arrays.toString(shape) + ", not the shape of a 2-D weight");
        }
        return new int[] {(int) shape[0], (int) shape[1]};
    }

    private boolean isBitmasked(String prefix) {
        return config.sparse() && stored.has(prefix + ".bitmask");
    }

    private boolean isQuantized(String prefix) {
        return config.quantized() && stored.has(prefix + SCALE);
    }

    private static FloatMatrix matrix(FloatTensor t) {
        return new FloatMatrix(t.shape()[0], t.shape()[1], t.data());
    }

    private static String prefix(String name, String suffix) {
        return name.substring(0, name.length() - suffix.length());
    }

    private SparseInferException error(String tensor, String problem) {
        return SparseInferException.invalidModel(source() + ": tensor '" + tensor + "' " + problem);
    }
}
