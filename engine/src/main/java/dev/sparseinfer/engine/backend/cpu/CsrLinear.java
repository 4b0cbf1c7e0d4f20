package dev.sparseinfer.engine.backend.cpu;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.backend.ActivationFunction;
import dev.sparseinfer.engine.format.Int8Scheme;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * CSR weights as compressed rows, run token-major: the input is transposed once per call into tiles of tokens, so
 * each stored weight is broadcast once and multiplies a contiguous run of tokens with whole-vector FMAs. Unlike a
 * gathered dot product, nothing is gathered and nothing is reduced across lanes; the cost is one broadcast per
 * stored weight, spread over up to four vectors of tokens.
 *
 * <p>Column indices are 16-bit (inputs up to 65,536), so a kept weight costs 6 bytes. int8 values are widened to
 * fp32 once, when the layer is prepared (exactly: every int8 is a float), and their per-output scale is applied
 * once per output. Kept as bytes they would save 3 bytes per kept weight but cost a sign-extend and a convert per
 * use, and give the kernels a second value type, for which C2 compiles a branch on the type into every inner loop
 * of a JVM that runs both int8 and fp32 sparse layers, slowing the fp32 ones too. For {@code w8a8} each token is
 * quantised to int8 first and the products of the two int8 values are summed in fp32, which is exact while a row's
 * sum of |products| stays below 2^24, then rescaled by weight scale times token scale.
 */
final class CsrLinear implements CpuLinear {

    private static final VectorSpecies<Float> SPECIES = CpuVectorShape.FLOATS;
    private static final int LANES = SPECIES.length();
    private static final int MAX_TILE = 4 * LANES;
    /** For each tile width of 1 to 4 vectors: lane {@code j} reads output {@code j} of a token-major tile. */
    private static final int[][] TILE_GATHER = new int[4][];

    static {
        for (int v = 0; v < TILE_GATHER.length; v++) {
            TILE_GATHER[v] = new int[LANES];
            for (int j = 0; j < LANES; j++) {
                TILE_GATHER[v][j] = j * (v + 1) * LANES;
            }
        }
    }

    private final int out;
    private final int in;
    private final int[] rowPtr;
    private final char[] cols;
    /** The kept values, int8 ones widened to fp32. */
    private final float[] values;
    /** Per-output scale of int8 values; ones for fp32, so every layer scales its sums the same way (exactly). */
    private final float[] scales;

    private final boolean quantizeInput;
    private final float[] bias;
    /** Lane {@code j} reads token {@code j} of a row-major input: offsets {@code j * in}. */
    private final int[] rowGather;

    private CsrLinear(
            int out, int in, CompressedRows rows, float[] values, float[] scales, boolean quantizeInput, float[] bias) {
        if (in > 65536) {
            throw SparseInferException.invalidArgument("sparse layers take at most 65536 inputs on the CPU, got " + in);
        }
        this.out = out;
        this.in = in;
        this.rowPtr = rows.rowPtr();
        this.cols = new char[rows.colIdx().length];
        for (int k = 0; k < cols.length; k++) {
            cols[k] = (char) rows.colIdx()[k];
        }
        this.values = values;
        this.scales = scales;
        this.quantizeInput = quantizeInput;
        this.bias = bias;
        this.rowGather = new int[LANES];
        for (int j = 0; j < LANES; j++) {
            rowGather[j] = j * in;
        }
    }

    static CsrLinear fp32(int out, int in, CompressedRows rows, float[] values, float[] bias) {
        return new CsrLinear(out, in, rows, values, unitScales(out), false, bias);
    }

    static CsrLinear int8(
            int out, int in, CompressedRows rows, byte[] values, float[] scales, Int8Scheme scheme, float[] bias) {
        return new CsrLinear(out, in, rows, widen(values), scales, scheme == Int8Scheme.W8A8, bias);
    }

    /** Scales of one for fp32 layers, which then scale their sums like int8 ones (exactly: by 1). */
    private static float[] unitScales(int out) {
        float[] ones = new float[out];
        Arrays.fill(ones, 1f);
        return ones;
    }

    /** int8 values widened to fp32 when a layer is prepared (exactly: every int8 is a float). */
    private static float[] widen(byte[] values) {
        float[] widened = new float[values.length];
        for (int k = 0; k < values.length; k++) {
            widened[k] = values[k];
        }
        return widened;
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
     * Whole vectors: the activation runs lane-wise on whole vectors of a thread's outputs and scalar on the rest,
     * whose results differ in the last bits, so shares must start on the vectors a single thread would use for the
     * outputs to be the same bits on any thread count.
     */
    @Override
    public int outputAlignment() {
        return LANES;
    }

    @Override
    public void compute(float[] x, int rows, int outFrom, int outTo, ActivationFunction activation, float[] y) {
        float[] tokenScales = quantizeInput ? Scratch.floats(Scratch.Use.TOKEN_SCALES, rows) : null;
        for (int start = 0; start < rows; start += tileWidth(rows - start)) {
            int width = tileWidth(rows - start);
            int count = Math.min(width, rows - start);
            float[] xt = Scratch.floats(Scratch.Use.PACKED_INPUT, in * width);
            transpose(x, start, count, width, xt, tokenScales);
            float[] yt = Scratch.floats(Scratch.Use.ROW, (outTo - outFrom) * width);
            outputs(xt, width, outFrom, outTo, yt, 0);
            writeBack(yt, width, start, count, outFrom, outTo, tokenScales, y);
        }
        for (int r = 0; r < rows; r++) {
            VectorEpilogue.apply(y, r * out + outFrom, outTo - outFrom, activation);
        }
    }

    /**
     * Whether this layer's output can go to {@code next} token-major ({@link #computeTokenMajor}, then
     * {@link #computeFromTokenMajor}) instead of through row-major activations: it is next's input, neither
     * quantises its input per token (a token's scale needs the whole row), and whole vectors of outputs take the
     * activation, as they do row-major, so every value gets the same bits either way.
     */
    boolean chainsInto(CsrLinear next) {
        return out == next.in && out % LANES == 0 && !quantizeInput && !next.quantizeInput;
    }

    /** How many tiles of tokens {@link #computeTokenMajor} writes for {@code rows} tokens. */
    static int tileCount(int rows) {
        return (rows + MAX_TILE - 1) / MAX_TILE;
    }

    /** Floats each of {@link #computeTokenMajor}'s tiles takes: a whole tile's worth, whatever its width. */
    int tileLength() {
        return out * MAX_TILE;
    }

    /**
     * Outputs {@code outFrom..outTo-1} of every token, left token-major for a layer this one {@link #chainsInto}: the
     * k-th tile of tokens (width w) in {@code tiles[k]}, at {@code [o * w + t]}, its padded tokens holding values no
     * real token reads. Saves this layer's write-back and the next layer's transpose.
     */
    void computeTokenMajor(
            float[] x, int rows, int outFrom, int outTo, ActivationFunction activation, float[][] tiles) {
        for (int start = 0, k = 0; start < rows; start += tileWidth(rows - start), k++) {
            int width = tileWidth(rows - start);
            float[] xt = Scratch.floats(Scratch.Use.PACKED_INPUT, in * width);
            transpose(x, start, Math.min(width, rows - start), width, xt, null);
            float[] tile = tiles[k];
            outputs(xt, width, outFrom, outTo, tile, outFrom * width);
            for (int o = outFrom, at = outFrom * width; o < outTo; o++, at += width) {
                // Multiply, then add, as writeBack does, then the activation: the same bits as the row-major path.
                FloatVector scale = FloatVector.broadcast(SPECIES, scales[o]);
                FloatVector shift = FloatVector.broadcast(SPECIES, bias[o]);
                for (int t = at; t < at + width; t += LANES) {
                    VectorEpilogue.apply(
                                    FloatVector.fromArray(SPECIES, tile, t)
                                            .mul(scale)
                                            .add(shift),
                                    activation)
                            .intoArray(tile, t);
                }
            }
        }
    }

    /**
     * {@link #compute} on the token-major tiles of the layer before ({@link #computeTokenMajor}), with no activation.
     * Each tile is its own array, so the kernels index it from 0 as they do their own transposed input: an offset
     * added to every index of one shared array keeps C2 from merging the bounds checks of a kept weight's loads.
     */
    void computeFromTokenMajor(float[][] tiles, int rows, int outFrom, int outTo, float[] y) {
        for (int start = 0, k = 0; start < rows; start += tileWidth(rows - start), k++) {
            int width = tileWidth(rows - start);
            float[] yt = Scratch.floats(Scratch.Use.ROW, (outTo - outFrom) * width);
            outputs(tiles[k], width, outFrom, outTo, yt, 0);
            writeBack(yt, width, start, Math.min(width, rows - start), outFrom, outTo, null, y);
        }
    }

    /** Sums of outputs {@code outFrom..outTo-1} over a token-major input tile, token-major from {@code ytAt}. */
    private void outputs(float[] xt, int width, int outFrom, int outTo, float[] yt, int ytAt) {
        for (int o = outFrom, at = ytAt; o < outTo; o++, at += width) {
            switch (width / LANES) {
                case 4 -> output4(xt, o, yt, at);
                case 3 -> output3(xt, o, yt, at);
                case 2 -> output2(xt, o, yt, at);
                default -> output1(xt, o, yt, at);
            }
        }
    }

    /**
     * Tiles of four vectors of tokens while there are that many, then as few vectors as hold the rest (padding the
     * last): one pass over the weights for up to 32 tokens, the length of most sentences.
     */
    private static int tileWidth(int remaining) {
        if (remaining >= MAX_TILE) {
            return MAX_TILE;
        }
        return (remaining + LANES - 1) / LANES * LANES;
    }

    /**
     * {@code xt[i * width + t] = x[start + t, i]} for {@code t < count}, zero beyond; for w8a8 each token is first
     * quantised to int8 (kept as exact small integers in fp32) and its scale recorded. Eight tokens by eight inputs
     * at a time, transposed in registers ({@link Transpose8x8}, 256-bit vectors), or else a vector of tokens at a
     * time, gathered from their rows ({@link #rowGather}); scalar for the tokens and inputs left over.
     */
    private void transpose(float[] x, int start, int count, int width, float[] xt, float[] tokenScales) {
        if (count < width) {
            Arrays.fill(xt, 0, in * width, 0f);
        }
        float[] source = x;
        int base = start * in;
        if (quantizeInput) {
            source = Scratch.floats(Scratch.Use.QUANTIZED_INPUT, count * in);
            for (int t = 0; t < count; t++) {
                tokenScales[start + t] = VectorQuantizer.quantizeRow(x, (start + t) * in, in, source, t * in);
            }
            base = 0;
        }
        int t = 0;
        if (Transpose8x8.AVAILABLE) {
            for (; t + Transpose8x8.SIZE <= count; t += Transpose8x8.SIZE) {
                Transpose8x8.rows(source, base + t * in, in, in, xt, t, width);
            }
        }
        for (int whole = count / LANES * LANES; t < whole; t += LANES) {
            int from = base + t * in;
            for (int i = 0; i < in; i++) {
                FloatVector.fromArray(SPECIES, source, from + i, rowGather, 0).intoArray(xt, i * width + t);
            }
        }
        for (; t < count; t++) {
            int row = base + t * in;
            for (int i = 0; i < in; i++) {
                xt[i * width + t] = source[row + i];
            }
        }
    }

    /*
     * Every accumulator below is one FMA chain: an FMA waits on the previous one into the same accumulator (4
     * cycles on Zen 3 and on Skylake), so a loop that updates each accumulator once per stored weight runs at one
     * weight per FMA latency however few instructions it has. Hence several sets of accumulators, one per weight
     * in flight, summed at the end: enough that the loop waits on loads, not on its own previous FMA.
     */

    /** Four vectors of tokens, two weights in flight: eight chains. */
    private void output4(float[] xt, int o, float[] yt, int yAt) {
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = FloatVector.zero(SPECIES);
        FloatVector a2 = FloatVector.zero(SPECIES), a3 = FloatVector.zero(SPECIES);
        FloatVector b0 = FloatVector.zero(SPECIES), b1 = FloatVector.zero(SPECIES);
        FloatVector b2 = FloatVector.zero(SPECIES), b3 = FloatVector.zero(SPECIES);
        int width = 4 * LANES;
        int k = rowPtr[o];
        int end = rowPtr[o + 1];
        for (; k + 1 < end; k += 2) {
            FloatVector w = FloatVector.broadcast(SPECIES, values[k]);
            int c = cols[k] * width;
            a0 = FloatVector.fromArray(SPECIES, xt, c).fma(w, a0);
            a1 = FloatVector.fromArray(SPECIES, xt, c + LANES).fma(w, a1);
            a2 = FloatVector.fromArray(SPECIES, xt, c + 2 * LANES).fma(w, a2);
            a3 = FloatVector.fromArray(SPECIES, xt, c + 3 * LANES).fma(w, a3);
            FloatVector v = FloatVector.broadcast(SPECIES, values[k + 1]);
            int d = cols[k + 1] * width;
            b0 = FloatVector.fromArray(SPECIES, xt, d).fma(v, b0);
            b1 = FloatVector.fromArray(SPECIES, xt, d + LANES).fma(v, b1);
            b2 = FloatVector.fromArray(SPECIES, xt, d + 2 * LANES).fma(v, b2);
            b3 = FloatVector.fromArray(SPECIES, xt, d + 3 * LANES).fma(v, b3);
        }
        if (k < end) {
            FloatVector w = FloatVector.broadcast(SPECIES, values[k]);
            int c = cols[k] * width;
            a0 = FloatVector.fromArray(SPECIES, xt, c).fma(w, a0);
            a1 = FloatVector.fromArray(SPECIES, xt, c + LANES).fma(w, a1);
            a2 = FloatVector.fromArray(SPECIES, xt, c + 2 * LANES).fma(w, a2);
            a3 = FloatVector.fromArray(SPECIES, xt, c + 3 * LANES).fma(w, a3);
        }
        a0.add(b0).intoArray(yt, yAt);
        a1.add(b1).intoArray(yt, yAt + LANES);
        a2.add(b2).intoArray(yt, yAt + 2 * LANES);
        a3.add(b3).intoArray(yt, yAt + 3 * LANES);
    }

    /** Three vectors of tokens, two weights in flight: six chains. */
    private void output3(float[] xt, int o, float[] yt, int yAt) {
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = FloatVector.zero(SPECIES), a2 = FloatVector.zero(SPECIES);
        FloatVector b0 = FloatVector.zero(SPECIES), b1 = FloatVector.zero(SPECIES), b2 = FloatVector.zero(SPECIES);
        int width = 3 * LANES;
        int k = rowPtr[o];
        int end = rowPtr[o + 1];
        for (; k + 1 < end; k += 2) {
            FloatVector w = FloatVector.broadcast(SPECIES, values[k]);
            int c = cols[k] * width;
            a0 = FloatVector.fromArray(SPECIES, xt, c).fma(w, a0);
            a1 = FloatVector.fromArray(SPECIES, xt, c + LANES).fma(w, a1);
            a2 = FloatVector.fromArray(SPECIES, xt, c + 2 * LANES).fma(w, a2);
            FloatVector v = FloatVector.broadcast(SPECIES, values[k + 1]);
            int d = cols[k + 1] * width;
            b0 = FloatVector.fromArray(SPECIES, xt, d).fma(v, b0);
            b1 = FloatVector.fromArray(SPECIES, xt, d + LANES).fma(v, b1);
            b2 = FloatVector.fromArray(SPECIES, xt, d + 2 * LANES).fma(v, b2);
        }
        if (k < end) {
            FloatVector w = FloatVector.broadcast(SPECIES, values[k]);
            int c = cols[k] * width;
            a0 = FloatVector.fromArray(SPECIES, xt, c).fma(w, a0);
            a1 = FloatVector.fromArray(SPECIES, xt, c + LANES).fma(w, a1);
            a2 = FloatVector.fromArray(SPECIES, xt, c + 2 * LANES).fma(w, a2);
        }
        a0.add(b0).intoArray(yt, yAt);
        a1.add(b1).intoArray(yt, yAt + LANES);
        a2.add(b2).intoArray(yt, yAt + 2 * LANES);
    }

    /** Two vectors of tokens, four weights in flight: eight chains. */
    private void output2(float[] xt, int o, float[] yt, int yAt) {
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = FloatVector.zero(SPECIES);
        FloatVector b0 = FloatVector.zero(SPECIES), b1 = FloatVector.zero(SPECIES);
        FloatVector c0 = FloatVector.zero(SPECIES), c1 = FloatVector.zero(SPECIES);
        FloatVector d0 = FloatVector.zero(SPECIES), d1 = FloatVector.zero(SPECIES);
        int width = 2 * LANES;
        int k = rowPtr[o];
        int end = rowPtr[o + 1];
        for (; k + 3 < end; k += 4) {
            FloatVector w = FloatVector.broadcast(SPECIES, values[k]);
            int at = cols[k] * width;
            a0 = FloatVector.fromArray(SPECIES, xt, at).fma(w, a0);
            a1 = FloatVector.fromArray(SPECIES, xt, at + LANES).fma(w, a1);
            w = FloatVector.broadcast(SPECIES, values[k + 1]);
            at = cols[k + 1] * width;
            b0 = FloatVector.fromArray(SPECIES, xt, at).fma(w, b0);
            b1 = FloatVector.fromArray(SPECIES, xt, at + LANES).fma(w, b1);
            w = FloatVector.broadcast(SPECIES, values[k + 2]);
            at = cols[k + 2] * width;
            c0 = FloatVector.fromArray(SPECIES, xt, at).fma(w, c0);
            c1 = FloatVector.fromArray(SPECIES, xt, at + LANES).fma(w, c1);
            w = FloatVector.broadcast(SPECIES, values[k + 3]);
            at = cols[k + 3] * width;
            d0 = FloatVector.fromArray(SPECIES, xt, at).fma(w, d0);
            d1 = FloatVector.fromArray(SPECIES, xt, at + LANES).fma(w, d1);
        }
        for (; k < end; k++) {
            FloatVector w = FloatVector.broadcast(SPECIES, values[k]);
            int at = cols[k] * width;
            a0 = FloatVector.fromArray(SPECIES, xt, at).fma(w, a0);
            a1 = FloatVector.fromArray(SPECIES, xt, at + LANES).fma(w, a1);
        }
        a0.add(b0).add(c0.add(d0)).intoArray(yt, yAt);
        a1.add(b1).add(c1.add(d1)).intoArray(yt, yAt + LANES);
    }

    /** One vector of tokens, four weights in flight: four chains. */
    private void output1(float[] xt, int o, float[] yt, int yAt) {
        FloatVector a = FloatVector.zero(SPECIES), b = FloatVector.zero(SPECIES);
        FloatVector c = FloatVector.zero(SPECIES), d = FloatVector.zero(SPECIES);
        int k = rowPtr[o];
        int end = rowPtr[o + 1];
        for (; k + 3 < end; k += 4) {
            a = FloatVector.fromArray(SPECIES, xt, cols[k] * LANES).fma(FloatVector.broadcast(SPECIES, values[k]), a);
            b = FloatVector.fromArray(SPECIES, xt, cols[k + 1] * LANES)
                    .fma(FloatVector.broadcast(SPECIES, values[k + 1]), b);
            c = FloatVector.fromArray(SPECIES, xt, cols[k + 2] * LANES)
                    .fma(FloatVector.broadcast(SPECIES, values[k + 2]), c);
            d = FloatVector.fromArray(SPECIES, xt, cols[k + 3] * LANES)
                    .fma(FloatVector.broadcast(SPECIES, values[k + 3]), d);
        }
        for (; k < end; k++) {
            a = FloatVector.fromArray(SPECIES, xt, cols[k] * LANES).fma(FloatVector.broadcast(SPECIES, values[k]), a);
        }
        a.add(b).add(c.add(d)).intoArray(yt, yAt);
    }

    /**
     * Scales, adds the bias and writes a tile's sums, kept token-major ({@code yt[(o - outFrom) * width + t]}, whole
     * vectors stored by the kernels), back into the row-major y: eight tokens by eight outputs at a time, transposed
     * in registers ({@link Transpose8x8}) and then scaled in place, or else a token at a time, a vector of outputs
     * gathered from the token-major sums ({@link #TILE_GATHER}); scalar for the outputs and tokens left over. Every
     * path multiplies, then adds, so an output has the same bits whichever path it takes.
     */
    private void writeBack(
            float[] yt, int width, int start, int count, int outFrom, int outTo, float[] tokenScales, float[] y) {
        int t = 0;
        if (Transpose8x8.AVAILABLE) {
            int blocks = outFrom + (outTo - outFrom) / Transpose8x8.SIZE * Transpose8x8.SIZE;
            for (; t + Transpose8x8.SIZE <= count; t += Transpose8x8.SIZE) {
                for (int o = outFrom; o < blocks; o += Transpose8x8.SIZE) {
                    int row = (start + t) * out + o;
                    Transpose8x8.block(yt, (o - outFrom) * width + t, width, y, row, out);
                    FloatVector b = FloatVector.fromArray(SPECIES, bias, o);
                    FloatVector weightScales = FloatVector.fromArray(SPECIES, scales, o);
                    for (int r = 0; r < Transpose8x8.SIZE; r++, row += out) {
                        FloatVector factors = weightScales.mul(tokenScale(tokenScales, start + t + r));
                        FloatVector.fromArray(SPECIES, y, row)
                                .mul(factors)
                                .add(b)
                                .intoArray(y, row);
                    }
                }
                for (int r = 0; r < Transpose8x8.SIZE; r++) {
                    writeScalar(yt, width, start, t + r, blocks, outFrom, outTo, tokenScales, y);
                }
            }
        }
        int[] gather = TILE_GATHER[width / LANES - 1];
        int whole = outFrom + (outTo - outFrom) / LANES * LANES;
        for (; t < count; t++) {
            int row = (start + t) * out;
            float tokenScale = tokenScale(tokenScales, start + t);
            int o = outFrom;
            for (; o < whole; o += LANES) {
                FloatVector.fromArray(SPECIES, yt, (o - outFrom) * width + t, gather, 0)
                        .mul(FloatVector.fromArray(SPECIES, scales, o).mul(tokenScale))
                        .add(FloatVector.fromArray(SPECIES, bias, o))
                        .intoArray(y, row + o);
            }
            writeScalar(yt, width, start, t, o, outFrom, outTo, tokenScales, y);
        }
    }

    private static float tokenScale(float[] tokenScales, int token) {
        return tokenScales == null ? 1f : tokenScales[token];
    }

    /** Outputs {@code from .. outTo-1} of tile token {@code t}, one at a time. */
    private void writeScalar(
            float[] yt, int width, int start, int t, int from, int outFrom, int outTo, float[] tokenScales, float[] y) {
        float tokenScale = tokenScale(tokenScales, start + t);
        int row = (start + t) * out;
        for (int o = from, at = (o - outFrom) * width + t; o < outTo; o++, at += width) {
            y[row + o] = yt[at] * (scales[o] * tokenScale) + bias[o];
        }
    }
}
