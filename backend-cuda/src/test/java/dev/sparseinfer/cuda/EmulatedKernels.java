package dev.sparseinfer.cuda;

import dev.sparseinfer.engine.backend.cpu.Erf;
import dev.sparseinfer.kernels.KernelName;

/**
 * Each kernel of {@code kernels/src/main/cuda} in plain Java, over {@link EmulatedDevice} memory, with the same
 * arguments in the same order, walking the launch grid block by block the way the kernel does: a grid too small for
 * its outputs leaves them unwritten (NaN), and a buffer too small fails its bounds check. Arithmetic follows each
 * kernel's formula (fp16 operands, fp32 or exact int32 sums); it is not bit-exact to the GPU's summation order,
 * except where the sums are of integers (int8 weights), which are exact in any order.
 */
final class EmulatedKernels {

    private EmulatedKernels() {}

    private static float f(long bits) {
        return Float.intBitsToFloat((int) bits);
    }

    private static int i(long value) {
        return (int) value;
    }

    private static float activate(float x, int gelu) {
        return gelu != 0 ? (float) (0.5 * x * (1.0 + Erf.erf(x * 0.70710678118654752))) : x;
    }

    static void run(EmulatedDevice d, KernelName kernel, LaunchGeometry g, long[] a) {
        switch (kernel) {
            case F32_TO_F16_PADDED -> toHalfPadded(d, a[0], a[1], i(a[2]), i(a[3]), i(a[4]));
            case BIAS_ACTIVATION -> biasActivation(d, a[0], a[1], a[2], a[3], i(a[4]), i(a[5]), i(a[6]));
            case EMBED -> embed(d, a);
            case ADD_LAYERNORM -> addLayerNorm(d, g, a[0], a[1], a[2], a[3], a[4], i(a[5]), f(a[6]));
            case POOL -> pool(d, g, a[0], a[1], a[2], a[3], i(a[4]), i(a[5]), i(a[6]));
            case ATTENTION -> attention(d, g, a);
            case TWOFOUR_GEMM, TWOFOUR_SMALL_N -> twoFour(d, kernel, g, a);
            case QUANTIZE_ROWS_INT8, QUANTIZE_ROWS_HALF ->
                quantizeRows(d, g, kernel, a[0], a[1], a[2], i(a[3]), i(a[4]));
            case INT8_GEMM -> int8Gemm(d, g, a);
        }
    }

    private static void toHalfPadded(EmulatedDevice d, long x, long y, int rows, int cols, int colsPad) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < colsPad; c++) {
                float v = c < cols ? d.getFloat(x + 4L * ((long) r * cols + c)) : 0f;
                d.putShort(y + 2L * ((long) r * colsPad + c), Float.floatToFloat16(v));
            }
        }
    }

    private static void biasActivation(
            EmulatedDevice d, long y, long bias, long wScale, long xScale, int rows, int cols, int gelu) {
        for (long e = 0; e < (long) rows * cols; e++) {
            int r = (int) (e / cols);
            int c = (int) (e % cols);
            d.putFloat(y + 4 * e, activate(epilogue(d, d.getFloat(y + 4 * e), bias, wScale, xScale, r, c), gelu));
        }
    }

    /** The epilogue before the activation: {@code sum + bias}, or for int8 weights {@code si_rescale}. */
    private static float epilogue(
            EmulatedDevice d, float sum, long bias, long wScale, long xScale, int token, int output) {
        float b = d.getFloat(bias + 4L * output);
        if (wScale == 0) {
            return sum + b;
        }
        return rescale(sum, d.getFloat(wScale + 4L * output), xScale == 0 ? 1f : d.getFloat(xScale + 4L * token), b);
    }

    /** {@code si_rescale}: each operation rounded on its own, as Java's float arithmetic always is. */
    static float rescale(float sum, float weightScale, float tokenScale, float bias) {
        return sum * (weightScale * tokenScale) + bias;
    }

    /**
     * {@code si_quantize_int8}, step by step: the product rounded, then floor plus one where the fraction is at
     * least a half, NaN to 0, clamped.
     */
    static float quantize(float v, float inv) {
        float p = v * inv;
        float f = (float) Math.floor(p);
        float r = p - f >= 0.5f ? f + 1f : f;
        return Float.isNaN(p) ? 0f : Math.max(-127f, Math.min(127f, r));
    }

    private static void embed(EmulatedDevice d, long[] a) {
        long ids = a[0], types = a[1], positions = a[2], word = a[3], position = a[4], type = a[5], out = a[6];
        int tokens = i(a[7]);
        int width = i(a[8]);
        for (int t = 0; t < tokens; t++) {
            long w = word + 4L * d.getInt(ids + 4L * t) * width;
            long p = position + 4L * d.getInt(positions + 4L * t) * width;
            long ty = type + 4L * d.getInt(types + 4L * t) * width;
            for (int c = 0; c < width; c++) {
                d.putFloat(
                        out + 4L * ((long) t * width + c),
                        d.getFloat(w + 4L * c) + d.getFloat(p + 4L * c) + d.getFloat(ty + 4L * c));
            }
        }
    }

    private static void addLayerNorm(
            EmulatedDevice d,
            LaunchGeometry g,
            long x,
            long residual,
            long gamma,
            long beta,
            long out,
            int cols,
            float eps) {
        requireShared(g, 4L * cols);
        for (int r = 0; r < g.gridX(); r++) {
            long base = 4L * r * cols;
            float[] row = new float[cols];
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                row[c] = d.getFloat(x + base + 4L * c) + (residual != 0 ? d.getFloat(residual + base + 4L * c) : 0f);
                sum += row[c];
            }
            double mean = sum / cols;
            double squares = 0;
            for (int c = 0; c < cols; c++) {
                squares += (row[c] - mean) * (row[c] - mean);
            }
            double inv = 1 / Math.sqrt(squares / cols + eps);
            for (int c = 0; c < cols; c++) {
                d.putFloat(out + base + 4L * c, (float)
                        ((row[c] - mean) * inv * d.getFloat(gamma + 4L * c) + d.getFloat(beta + 4L * c)));
            }
        }
    }

    /** {@code mode} as norms.cu's {@code SI_POOL_*}: 0 first token, 1 mean, 2 maximum, 3 last token. */
    private static void pool(
            EmulatedDevice d,
            LaunchGeometry g,
            long x,
            long starts,
            long lengths,
            long out,
            int cols,
            int mode,
            int normalize) {
        requireShared(g, 4L * cols);
        for (int s = 0; s < g.gridX(); s++) {
            int start = d.getInt(starts + 4L * s);
            int length = d.getInt(lengths + 4L * s);
            double[] pooled = new double[cols];
            double squares = 0;
            for (int c = 0; c < cols; c++) {
                pooled[c] = switch (mode) {
                    case 0 -> d.getFloat(x + 4L * ((long) start * cols + c));
                    case 3 -> d.getFloat(x + 4L * ((long) (start + length - 1) * cols + c));
                    case 1, 2 -> {
                        double acc = mode == 2 ? Double.NEGATIVE_INFINITY : 0;
                        for (int t = start; t < start + length; t++) {
                            float v = d.getFloat(x + 4L * ((long) t * cols + c));
                            acc = mode == 2 ? Math.max(acc, v) : acc + v;
                        }
                        yield mode == 2 ? acc : acc / length;
                    }
                    default -> throw new IllegalArgumentException("pooling mode " + mode);
                };
                squares += pooled[c] * pooled[c];
            }
            double inv = normalize != 0 ? 1 / Math.max(Math.sqrt(squares), 1e-12) : 1;
            for (int c = 0; c < cols; c++) {
                d.putFloat(out + 4L * ((long) s * cols + c), (float) (pooled[c] * inv));
            }
        }
    }

    private static void attention(EmulatedDevice d, LaunchGeometry g, long[] a) {
        long q = a[0], k = a[1], v = a[2], out = a[3], seqStart = a[4], seqLength = a[5];
        int hidden = i(a[6]);
        int headDim = i(a[7]);
        float scale = f(a[8]);
        for (int t = 0; t < g.gridX(); t++) {
            int start = d.getInt(seqStart + 4L * t);
            int length = d.getInt(seqLength + 4L * t);
            requireShared(g, 4L * (headDim + length));
            for (int h = 0; h < g.gridY(); h++) {
                long column = (long) h * headDim;
                double[] p = new double[length];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < length; j++) {
                    double s = 0;
                    for (int e = 0; e < headDim; e++) {
                        s += d.getFloat(q + 4L * ((long) t * hidden + column + e))
                                * scale
                                * d.getFloat(k + 4L * ((long) (start + j) * hidden + column + e));
                    }
                    p[j] = s;
                    max = Math.max(max, s);
                }
                double sum = 0;
                for (int j = 0; j < length; j++) {
                    p[j] = Math.exp(p[j] - max);
                    sum += p[j];
                }
                for (int e = 0; e < headDim; e++) {
                    double acc = 0;
                    for (int j = 0; j < length; j++) {
                        acc += p[j] * d.getFloat(v + 4L * ((long) (start + j) * hidden + column + e));
                    }
                    d.putFloat(out + 4L * ((long) t * hidden + column + e), (float) (acc / sum));
                }
            }
        }
    }

    /**
     * Both 2:4 kernels, through the layout's contract (twofour.cu's header): per (row tile, K step), lane
     * {@code 4g + q} holds in word {@code r} the kept pair of row {@code g + 8 (r & 1)}, group {@code q + 4 (r >> 1)},
     * and metadata word {@code 2g + h} holds rows g (low half) and g + 8 (high half), groups {@code 4h .. 4h + 3}.
     */
    private static void twoFour(EmulatedDevice d, KernelName kernel, LaunchGeometry g, long[] a) {
        long values = a[0], meta = a[1], x = a[2], bias = a[3], wScale = a[4], xScale = a[5], y = a[6];
        int tokens = i(a[7]);
        int outFeatures = i(a[8]);
        int kSteps = i(a[9]);
        int gelu = i(a[10]);
        int rowTiles = (outFeatures + 15) / 16;
        int kPad = kSteps * 32;
        boolean small = kernel == KernelName.TWOFOUR_SMALL_N;
        for (int bx = 0; bx < g.gridX(); bx++) {
            for (int by = 0; by < g.gridY(); by++) {
                int firstTile = small ? bx : 4 * bx;
                int tiles = small ? 1 : 4;
                // small_n covers tokens 0-15 only (two n8 tiles); the GEMM 64 tokens per block row.
                int t0 = small ? 0 : 64 * by;
                int t1 = small ? Math.min(tokens, 16) : Math.min(tokens, t0 + 64);
                for (int mt = firstTile; mt < Math.min(rowTiles, firstTile + tiles); mt++) {
                    for (int row = 0; row < 16; row++) {
                        int o = mt * 16 + row;
                        if (o >= outFeatures) {
                            continue;
                        }
                        for (int t = t0; t < t1; t++) {
                            float acc = 0;
                            for (int s = 0; s < kSteps; s++) {
                                long tileStep = (long) mt * kSteps + s;
                                for (int group = 0; group < 8; group++) {
                                    int gRow = row % 8;
                                    int half = row / 8;
                                    int lane = 4 * gRow + group % 4;
                                    int r = half + 2 * (group / 4);
                                    int pair = d.getInt(values + 4 * ((tileStep * 32 + lane) * 4 + r));
                                    int word = d.getInt(meta + 4 * (tileStep * 16 + 2L * gRow + group / 4));
                                    int code = word >>> (16 * half + 4 * (group % 4)) & 0xF;
                                    int column = s * 32 + group * 4;
                                    acc += Float.float16ToFloat((short) pair)
                                            * d.getHalf(x + 2L * ((long) t * kPad + column + (code & 3)));
                                    acc += Float.float16ToFloat((short) (pair >>> 16))
                                            * d.getHalf(x + 2L * ((long) t * kPad + column + (code >>> 2)));
                                }
                            }
                            d.putFloat(
                                    y + 4L * ((long) t * outFeatures + o),
                                    activate(epilogue(d, acc, bias, wScale, xScale, t, o), gelu));
                        }
                    }
                }
            }
        }
    }

    private static void quantizeRows(
            EmulatedDevice d, LaunchGeometry g, KernelName kernel, long x, long q, long scales, int cols, int colsPad) {
        boolean halves = kernel == KernelName.QUANTIZE_ROWS_HALF;
        for (int r = 0; r < g.gridX(); r++) {
            float m = 0;
            for (int c = 0; c < cols; c++) {
                m = Math.max(m, Math.abs(d.getFloat(x + 4L * ((long) r * cols + c))));
            }
            float inv = m > 0 ? 127f / m : 0f;
            for (int c = 0; c < colsPad; c++) {
                float v = c < cols ? quantize(d.getFloat(x + 4L * ((long) r * cols + c)), inv) : 0f;
                long at = (long) r * colsPad + c;
                if (halves) {
                    d.putShort(q + 2 * at, Float.floatToFloat16(v));
                } else {
                    d.putByte(q + at, (byte) v);
                }
            }
            d.putFloat(scales + 4L * r, m / 127f);
        }
    }

    private static void int8Gemm(EmulatedDevice d, LaunchGeometry g, long[] a) {
        long w = a[0], wScale = a[1], qx = a[2], xScale = a[3], bias = a[4], y = a[5];
        int tokens = i(a[6]);
        int outFeatures = i(a[7]);
        int kWords = i(a[8]);
        int gelu = i(a[9]);
        for (int bx = 0; bx < g.gridX(); bx++) {
            for (int by = 0; by < g.gridY(); by++) {
                for (int t = 32 * by; t < Math.min(tokens, 32 * by + 32); t++) {
                    for (int o = 32 * bx; o < Math.min(outFeatures, 32 * bx + 32); o++) {
                        int acc = 0;
                        for (int k = 0; k < kWords; k++) {
                            int xw = d.getInt(qx + 4L * ((long) t * kWords + k));
                            int ww = d.getInt(w + 4L * ((long) o * kWords + k));
                            for (int b = 0; b < 4; b++) {
                                acc += (byte) (xw >> 8 * b) * (byte) (ww >> 8 * b);
                            }
                        }
                        float v = rescale(
                                acc,
                                d.getFloat(wScale + 4L * o),
                                d.getFloat(xScale + 4L * t),
                                d.getFloat(bias + 4L * o));
                        d.putFloat(y + 4L * ((long) t * outFeatures + o), activate(v, gelu));
                    }
                }
            }
        }
    }

    private static void requireShared(LaunchGeometry g, long bytes) {
        if (g.sharedBytes() < bytes) {
            throw new IllegalStateException(
                    "kernel needs " + bytes + " bytes of shared memory, launched with " + g.sharedBytes());
        }
    }
}
