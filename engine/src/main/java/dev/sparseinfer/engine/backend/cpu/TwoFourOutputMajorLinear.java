package dev.sparseinfer.engine.backend.cpu;

import dev.sparseinfer.engine.backend.ActivationFunction;
import dev.sparseinfer.engine.format.TwoFourPattern;
import dev.sparseinfer.engine.format.TwoFourWeights;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * 2:4 fp32 weights of a layer too big for the cache: output-major for one or two tokens, where reading 2.5 bytes
 * per dense weight instead of 4 pays, and the dense kernel on the zero-filled weights beyond ({@link #pays} says
 * which layers; the others, and every 2:4 int8 layer, run the dense kernels outright).
 *
 * <p>Output-major, a vector holds one kept weight of each of {@code LANES} consecutive outputs. Since every output
 * keeps exactly {@code LANES / 2} of each window of {@code LANES} inputs, one permute of the window's activations
 * ({@code vpermps} on AVX2) puts each lane's input under its weight, so a kept weight costs a permute and an FMA per
 * token, shared by {@code LANES} outputs. On Zen 3 a permute and an FMA take about three times an FMA's time
 * ({@code PermuteCostBenchmark}), so this kernel only wins where the dense kernel waits on memory: one or two tokens
 * through weights larger than the cache ({@code LinearKernelBenchmark}, format 2:4).
 *
 * <p>Beyond that the dense kernel runs, on its own copy of the weights with zeros in place (4 bytes per dense
 * weight): token-major 2:4 (a broadcast kept weight times a run of tokens, {@link CsrLinear}) costs an index load
 * and two activation loads per two FMAs, against dense's 6 loads per 8, and stays below dense speed on AVX2.
 *
 * <p>The output-major layout: kept weight {@code k} of output {@code o} at {@code ((o / LANES) * in/2 + k) * LANES +
 * o % LANES}, its column modulo {@code LANES} (its lane in the window; {@code in} is a multiple of {@code LANES}, so
 * its dense index modulo {@code LANES}) as a byte at the same index, outputs past the last whole panel padded with
 * zero weights: 5 bytes per kept weight.
 */
final class TwoFourOutputMajorLinear implements CpuLinear {

    private static final VectorSpecies<Float> SPECIES = CpuVectorShape.FLOATS;
    private static final int LANES = SPECIES.length();
    private static final VectorSpecies<Integer> INTS = CpuVectorShape.INTS;
    /** A byte per lane; none below 8 lanes (no 32-bit vector shape), where {@link #pays} says no. */
    private static final VectorSpecies<Byte> BYTES =
            LANES >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(LANES * 8)) : null;
    /** Kept weights per output in a window of {@code LANES} inputs. */
    private static final int KEPT_PER_WINDOW = LANES / 2;
    /** Calls of more rows than this run the dense kernel, as fast from three tokens on even at 4096 x 4096. */
    static final int MAX_OUTPUT_MAJOR_ROWS = 2;
    /**
     * fp32 weights from which output-major pays for one or two tokens: larger than the L3 cache of most server
     * cores' complex, so the dense kernel reads them from memory (in {@code LinearKernelBenchmark}, 768 x 3072 at
     * 9 MiB does not pay, 4096 x 4096 at 64 MiB does).
     */
    static final long MIN_OUTPUT_MAJOR_BYTES = 32L << 20;

    private final int out;
    private final int in;
    private final int half;
    private final float[] values;
    private final byte[] lanes;
    private final float[] bias;
    /** The dense kernel on the zero-filled weights, for calls of more than {@link #MAX_OUTPUT_MAJOR_ROWS} rows. */
    private final DenseLinear dense;

    TwoFourOutputMajorLinear(TwoFourWeights weights, float[] bias) {
        TwoFourPattern pattern = weights.pattern();
        this.out = pattern.outFeatures();
        this.in = pattern.inFeatures();
        this.half = in / 2;
        int panels = (out + LANES - 1) / LANES;
        this.values = new float[panels * half * LANES];
        this.lanes = new byte[values.length];
        float[] rowValues = weights.values();
        for (int o = 0; o < out; o++) {
            int at = (o / LANES) * half * LANES + o % LANES;
            for (int k = 0; k < half; k++, at += LANES) {
                values[at] = rowValues[o * half + k];
                lanes[at] = (byte) (pattern.denseIndex(o * half + k) % LANES);
            }
        }
        this.bias = bias;
        this.dense = new DenseLinear(out, in, weights.toDense().data(), bias);
    }

    /**
     * Whether a 2:4 fp32 layer of this shape gets this kernel rather than the dense one: whole windows of at least 8
     * lanes, and weights of at least {@link #MIN_OUTPUT_MAJOR_BYTES} as fp32.
     */
    static boolean pays(int out, int in) {
        return LANES >= 8 && in % LANES == 0 && 4L * out * in >= MIN_OUTPUT_MAJOR_BYTES;
    }

    @Override
    public int outFeatures() {
        return out;
    }

    @Override
    public int inFeatures() {
        return in;
    }

    /** The dense kernel's panels (whole output-major panels too), for the same bits on any thread count. */
    @Override
    public int outputAlignment() {
        return PanelKernel.PANEL;
    }

    @Override
    public void compute(float[] x, int rows, int outFrom, int outTo, ActivationFunction activation, float[] y) {
        if (rows > MAX_OUTPUT_MAJOR_ROWS) {
            dense.compute(x, rows, outFrom, outTo, activation, y);
            return;
        }
        for (int o = outFrom; o < outTo; o += LANES) {
            if (rows == 2) {
                panelPair(x, o, outTo, y);
            } else {
                panel(x, o, outTo, y);
            }
        }
        for (int r = 0; r < rows; r++) {
            addBias(y, r, outFrom, outTo);
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

    /** Sums of rows 0 and 1 for the panel of outputs from {@code o}, into y. */
    private void panelPair(float[] x, int o, int outTo, float[] y) {
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = FloatVector.zero(SPECIES);
        FloatVector b0 = FloatVector.zero(SPECIES), b1 = FloatVector.zero(SPECIES);
        int xb = in;
        int k = (o / LANES) * half * LANES;
        for (int w = 0; w < in; w += LANES) {
            IntVector windowA = FloatVector.fromArray(SPECIES, x, w).reinterpretAsInts();
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
        if (o + LANES <= outTo) {
            a0.add(a1).intoArray(y, o);
            b0.add(b1).intoArray(y, o + out);
        } else {
            a0.add(a1).intoArray(y, o, SPECIES.indexInRange(o, outTo));
            b0.add(b1).intoArray(y, o + out, SPECIES.indexInRange(o, outTo));
        }
    }

    /** Sums of row 0 for the panel of outputs from {@code o}, into y. */
    private void panel(float[] x, int o, int outTo, float[] y) {
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = FloatVector.zero(SPECIES);
        int k = (o / LANES) * half * LANES;
        for (int w = 0; w < in; w += LANES) {
            IntVector window = FloatVector.fromArray(SPECIES, x, w).reinterpretAsInts();
            for (int j = 0; j < KEPT_PER_WINDOW; j += 2, k += 2 * LANES) {
                a0 = window.rearrange(lanesOf(k))
                        .reinterpretAsFloats()
                        .fma(FloatVector.fromArray(SPECIES, values, k), a0);
                a1 = window.rearrange(lanesOf(k + LANES))
                        .reinterpretAsFloats()
                        .fma(FloatVector.fromArray(SPECIES, values, k + LANES), a1);
            }
        }
        if (o + LANES <= outTo) {
            a0.add(a1).intoArray(y, o);
        } else {
            a0.add(a1).intoArray(y, o, SPECIES.indexInRange(o, outTo));
        }
    }

    /** {@code y += b} over the outputs of row {@code r}. */
    private void addBias(float[] y, int r, int outFrom, int outTo) {
        int row = r * out;
        int o = outFrom;
        for (; o + LANES <= outTo; o += LANES) {
            FloatVector.fromArray(SPECIES, y, row + o)
                    .add(FloatVector.fromArray(SPECIES, bias, o))
                    .intoArray(y, row + o);
        }
        for (; o < outTo; o++) {
            y[row + o] += bias[o];
        }
    }
}
