package dev.sparseinfer.engine.backend.cpu;

import dev.sparseinfer.engine.backend.Activation;
import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.engine.format.TwoFourPattern;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * 2:4 weights: output-major up to a vector of tokens, token-major ({@link TokenMajorSparseLinear}) beyond.
 *
 * <p>Output-major, a vector holds one kept weight of each of {@code LANES} consecutive outputs. Since every output
 * keeps exactly {@code LANES / 2} of each window of {@code LANES} inputs, one permute of the window's activations
 * ({@code vpermps} on AVX2) puts each lane's input under its weight, so a kept weight costs a permute and an FMA per
 * token, shared by {@code LANES} outputs. Token-major pads the tokens to a whole vector and so costs as much for one
 * token as for a vector of them. On Zen 3 at 384 × 1536, one token took 48 µs output-major against 240 µs
 * token-major, four 134 against 243, eight 265 against 265–415. From there on the permutes, slow on AMD (a permute
 * and an FMA take about three times an FMA's time, {@code PermuteCostBenchmark}), lose to token-major's broadcasts:
 * twelve tokens took 1.2–1.3× token-major's time.
 *
 * <p>The output-major layout: kept weight {@code k} of output {@code o} at
 * {@code ((o / LANES) * in/2 + k) * LANES + o % LANES}, its column modulo {@code LANES} (its lane in the window)
 * as a byte at the same index, outputs past the last whole panel padded with zero weights: 5 bytes per kept weight
 * besides token-major's 6. One layout for both was tried: token-major reading the interleaved weights (a panel's
 * outputs one after the other, chunk by chunk) ran 15–25 % slower at 384 inputs and the 2:4 model 10–30 % slower
 * per text, so each kernel keeps the layout it reads fastest.
 *
 * <p>int8 values are widened to fp32 when the layer is prepared and scaled per output after the sum, as in
 * {@link TokenMajorSparseLinear}; w8a8 quantises each token first.
 */
final class TwoFourSparseLinear implements CpuLinear {

    private static final VectorSpecies<Float> SPECIES = CpuVectorShape.FLOATS;
    private static final int LANES = SPECIES.length();
    private static final VectorSpecies<Integer> INTS = CpuVectorShape.INTS;
    /** A byte per lane; none below 8 lanes (no 32-bit vector shape), where {@link #supports} says no. */
    private static final VectorSpecies<Byte> BYTES =
            LANES >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(LANES * 8)) : null;
    /** Kept weights per output in a window of {@code LANES} inputs. */
    private static final int KEPT_PER_WINDOW = LANES / 2;

    private final int out;
    private final int in;
    private final int half;
    private final float[] values;
    private final byte[] lanes;
    private final float[] scales;
    private final boolean quantizeInput;
    private final float[] bias;
    private final TokenMajorSparseLinear tokenMajor;

    private TwoFourSparseLinear(TwoFourPattern pattern, float[] rowValues, float[] scales, boolean quantizeInput,
                                float[] bias, TokenMajorSparseLinear tokenMajor) {
        this.out = pattern.outFeatures();
        this.in = pattern.inFeatures();
        this.half = in / 2;
        int panels = (out + LANES - 1) / LANES;
        this.values = new float[panels * half * LANES];
        this.lanes = new byte[values.length];
        for (int o = 0; o < out; o++) {
            int at = (o / LANES) * half * LANES + o % LANES;
            for (int k = 0; k < half; k++, at += LANES) {
                values[at] = rowValues[o * half + k];
                lanes[at] = (byte) (pattern.column(o * (in / 4) + k / 2, k % 2) % LANES);
            }
        }
        this.scales = scales;
        this.quantizeInput = quantizeInput;
        this.bias = bias;
        this.tokenMajor = tokenMajor;
    }

    /**
     * Whether this kernel takes {@code in} inputs: whole windows of at least 8 lanes. (The limit on inputs is
     * token-major's, which rejects a wider layer as it is built, before this one.)
     */
    static boolean supports(int in) {
        return LANES >= 8 && in % LANES == 0;
    }

    static TwoFourSparseLinear fp32(TwoFourPattern pattern, float[] values, float[] bias) {
        int out = pattern.outFeatures();
        return new TwoFourSparseLinear(pattern, values, TokenMajorSparseLinear.unitScales(out), false, bias,
                TokenMajorSparseLinear.fp32(out, pattern.inFeatures(), CompressedRows.of(pattern), values, bias));
    }

    static TwoFourSparseLinear int8(TwoFourPattern pattern, byte[] values, float[] scales, Int8Scheme scheme,
                                    float[] bias) {
        float[] widened = TokenMajorSparseLinear.widen(values);
        return new TwoFourSparseLinear(pattern, widened, scales, scheme == Int8Scheme.W8A8, bias,
                TokenMajorSparseLinear.int8Widened(pattern.outFeatures(), pattern.inFeatures(),
                        CompressedRows.of(pattern), widened, scales, scheme, bias));
    }

    @Override
    public int outFeatures() {
        return out;
    }

    @Override
    public int inFeatures() {
        return in;
    }

    /**
     * Whole panels, which are also the whole vectors token-major's activation needs for the same bits on any thread
     * count.
     */
    @Override
    public int outputAlignment() {
        return LANES;
    }

    @Override
    public void compute(float[] x, int rows, int outFrom, int outTo, Activation activation, float[] y) {
        if (rows > LANES) {
            tokenMajor.compute(x, rows, outFrom, outTo, activation, y);
            return;
        }
        float[] source = x;
        float[] tokenScales = null;
        if (quantizeInput) {
            source = Scratch.floats(Scratch.Use.QUANTIZED_INPUT, rows * in);
            tokenScales = Scratch.floats(Scratch.Use.TOKEN_SCALES, rows);
            for (int r = 0; r < rows; r++) {
                tokenScales[r] = VectorQuantizer.quantizeRow(x, r * in, in, source, r * in);
            }
        }
        for (int o = outFrom; o < outTo; o += LANES) {
            int r = 0;
            for (; r + 1 < rows; r += 2) {
                panelPair(source, r, o, outTo, y);
            }
            if (r < rows) {
                panel(source, r, o, outTo, y);
            }
        }
        for (int r = 0; r < rows; r++) {
            scale(y, r, outFrom, outTo, tokenScales == null ? 1f : tokenScales[r]);
            VectorEpilogue.apply(y, r * out + outFrom, outTo - outFrom, activation);
        }
    }

    /** Which input of its window each lane of the kept-weight vector at {@code at} multiplies, as a permute. */
    private VectorShuffle<Integer> lanesOf(int at) {
        return ((IntVector) ByteVector.fromArray(BYTES, lanes, at).convertShape(VectorOperators.B2I, INTS, 0))
                .toShuffle();
    }

    /*
     * The output-major kernels keep two accumulators per token, even and odd kept weights, so each adds up the same
     * products in the same order whether its token runs alone or in a pair.
     */

    /** Sums of rows {@code r} and {@code r + 1} for the panel of outputs from {@code o}, into y. */
    private void panelPair(float[] x, int r, int o, int outTo, float[] y) {
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = FloatVector.zero(SPECIES);
        FloatVector b0 = FloatVector.zero(SPECIES), b1 = FloatVector.zero(SPECIES);
        int xa = r * in;
        int xb = xa + in;
        int k = (o / LANES) * half * LANES;
        for (int w = 0; w < in; w += LANES) {
            IntVector windowA = FloatVector.fromArray(SPECIES, x, xa + w).reinterpretAsInts();
            IntVector windowB = FloatVector.fromArray(SPECIES, x, xb + w).reinterpretAsInts();
            for (int j = 0; j < KEPT_PER_WINDOW; j += 2, k += 2 * LANES) {
                VectorShuffle<Integer> picks = lanesOf(k);
                FloatVector v = FloatVector.fromArray(SPECIES, values, k);
                a0 = windowA.rearrange(picks).reinterpretAsFloats().fma(v, a0);
                b0 = windowB.rearrange(picks).reinterpretAsFloats().fma(v, b0);
                picks = lanesOf(k + LANES);
                v = FloatVector.fromArray(SPECIES, values, k + LANES);
                a1 = windowA.rearrange(picks).reinterpretAsFloats().fma(v, a1);
                b1 = windowB.rearrange(picks).reinterpretAsFloats().fma(v, b1);
            }
        }
        int at = r * out + o;
        if (o + LANES <= outTo) {
            a0.add(a1).intoArray(y, at);
            b0.add(b1).intoArray(y, at + out);
        } else {
            a0.add(a1).intoArray(y, at, SPECIES.indexInRange(o, outTo));
            b0.add(b1).intoArray(y, at + out, SPECIES.indexInRange(o, outTo));
        }
    }

    /** Sums of row {@code r} for the panel of outputs from {@code o}, into y. */
    private void panel(float[] x, int r, int o, int outTo, float[] y) {
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = FloatVector.zero(SPECIES);
        int xa = r * in;
        int k = (o / LANES) * half * LANES;
        for (int w = 0; w < in; w += LANES) {
            IntVector window = FloatVector.fromArray(SPECIES, x, xa + w).reinterpretAsInts();
            for (int j = 0; j < KEPT_PER_WINDOW; j += 2, k += 2 * LANES) {
                a0 = window.rearrange(lanesOf(k)).reinterpretAsFloats()
                        .fma(FloatVector.fromArray(SPECIES, values, k), a0);
                a1 = window.rearrange(lanesOf(k + LANES)).reinterpretAsFloats()
                        .fma(FloatVector.fromArray(SPECIES, values, k + LANES), a1);
            }
        }
        int at = r * out + o;
        if (o + LANES <= outTo) {
            a0.add(a1).intoArray(y, at);
        } else {
            a0.add(a1).intoArray(y, at, SPECIES.indexInRange(o, outTo));
        }
    }

    /** {@code y = sum * (scale[o] * tokenScale) + b[o]}: multiply, then add, as token-major does. */
    private void scale(float[] y, int r, int outFrom, int outTo, float tokenScale) {
        int row = r * out;
        int o = outFrom;
        for (; o + LANES <= outTo; o += LANES) {
            FloatVector.fromArray(SPECIES, y, row + o)
                    .mul(FloatVector.fromArray(SPECIES, scales, o).mul(tokenScale))
                    .add(FloatVector.fromArray(SPECIES, bias, o)).intoArray(y, row + o);
        }
        for (; o < outTo; o++) {
            y[row + o] = y[row + o] * (scales[o] * tokenScale) + bias[o];
        }
    }
}
