package dev.sparseinfer.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How many int8 x int8 multiply-adds per nanosecond one core reaches through each route Java has to them, all on
 * data in L1, in JMH's ops/ns (one op = one multiply-add). An int8 kernel pays over fp32 only if some route beats
 * {@link #fp32Fma}, the route the CPU backend's w8a8 layers take.
 * <ul>
 *   <li>{@link #fp32Fma}: the int8 values widened to fp32 (exactly) and multiplied with FMAs, in the dense
 *       kernel's register block: {@link #OUTPUTS} outputs (two float vectors) by {@link #TOKENS} tokens.</li>
 *   <li>{@link #int16Vectors}: the best this code found the Vector API to offer for integers, the same outputs in
 *       int16 lanes, two tokens at a time: per pair of inputs two int16 multiplies and an add, then split into
 *       int32 by shifts and added to the sums. The API has no operation that compiles to {@code vpmaddubsw} or
 *       {@code vpmaddwd}.</li>
 *   <li>{@link #c2MulAddLoop}: a plain loop that C2's own vectoriser turns into {@code vpmaddwd} (int16 pairs
 *       multiplied and summed into int32), over long arrays: each step loads and stores its int32 sums, so this is
 *       the instruction's rate in a loop, not a register-blocked kernel.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class Int8ProductBenchmark {

    static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Short> SHORTS = ShortVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    /** Outputs of the register block: two float vectors, one short vector (both 16 with AVX2). */
    static final int OUTPUTS = 2 * FLOATS.length();

    static final int TOKENS = 4;
    /** Inputs per pass: the dense kernel's cache block. */
    static final int INPUTS = 256;
    /** Multiply-adds per call of the block routes: as many passes over the block as make them up. */
    static final int BLOCK_PRODUCTS = 1 << 16;

    private static final int PASSES = BLOCK_PRODUCTS / (OUTPUTS * TOKENS * INPUTS);
    /** Pairs in {@link #c2MulAddLoop}'s arrays: 2 x 8 KiB of int16 and 8 KiB of int32 sums. */
    static final int LOOP_PAIRS = 2048;

    static final int LOOP_PRODUCTS = 2 * LOOP_PAIRS;

    /** Weights {@code [input][output]}, widened to fp32 and to int16. */
    public float[] weightFloats;

    public short[] weightShorts;
    /** Activations {@code [input][token]}, widened to fp32 and to int16. */
    public float[] inputFloats;

    public short[] inputShorts;
    public short[] loopA;
    public short[] loopB;
    public int[] loopSums = new int[LOOP_PAIRS];
    public float[] floatSums = new float[TOKENS * OUTPUTS];
    public int[] intSums = new int[TOKENS * OUTPUTS];

    public Int8ProductBenchmark() {
        Random random = new Random();
        byte[] w = int8(random, INPUTS * OUTPUTS);
        byte[] x = int8(random, INPUTS * TOKENS);
        weightFloats = floats(w);
        weightShorts = shorts(w);
        inputFloats = floats(x);
        inputShorts = shorts(x);
        loopA = shorts(int8(random, 2 * LOOP_PAIRS));
        loopB = shorts(int8(random, 2 * LOOP_PAIRS));
    }

    @Benchmark
    @OperationsPerInvocation(BLOCK_PRODUCTS)
    public float[] fp32Fma() {
        for (int pass = 0; pass < PASSES; pass++) {
            fp32Block(weightFloats, inputFloats, INPUTS, floatSums);
        }
        return floatSums;
    }

    @Benchmark
    @OperationsPerInvocation(BLOCK_PRODUCTS)
    public int[] int16Vectors() {
        for (int pass = 0; pass < PASSES; pass++) {
            int16Block(weightShorts, inputShorts, INPUTS, intSums);
        }
        return intSums;
    }

    @Benchmark
    @OperationsPerInvocation(LOOP_PRODUCTS)
    public int[] c2MulAddLoop() {
        mulAddPairs(loopA, loopB, loopSums);
        return loopSums;
    }

    /**
     * {@code sums[t * OUTPUTS + o] = sum over i < inputs of w[i * OUTPUTS + o] * x[i * TOKENS + t]}, with FMAs: the
     * register block of the engine's dense micro-kernel ({@code PanelKernel.rows4}, internal to the engine), written
     * out here so it can be timed alone, without a layer around it. The input count is an argument and each
     * accumulator starts from its own zero: with a constant trip count, with the accumulators written
     * {@code a01 = a00, ...}, or with this method kept from being inlined, C2 compiles the loop to about half its
     * speed.
     */
    static void fp32Block(float[] w, float[] x, int inputs, float[] sums) {
        int lanes = FLOATS.length();
        FloatVector a00 = FloatVector.zero(FLOATS), a01 = FloatVector.zero(FLOATS);
        FloatVector a10 = FloatVector.zero(FLOATS), a11 = FloatVector.zero(FLOATS);
        FloatVector a20 = FloatVector.zero(FLOATS), a21 = FloatVector.zero(FLOATS);
        FloatVector a30 = FloatVector.zero(FLOATS), a31 = FloatVector.zero(FLOATS);
        for (int i = 0; i < inputs; i++) {
            int wi = i * OUTPUTS;
            int xi = i * TOKENS;
            FloatVector w0 = FloatVector.fromArray(FLOATS, w, wi);
            FloatVector w1 = FloatVector.fromArray(FLOATS, w, wi + lanes);
            FloatVector b = FloatVector.broadcast(FLOATS, x[xi]);
            a00 = w0.fma(b, a00);
            a01 = w1.fma(b, a01);
            b = FloatVector.broadcast(FLOATS, x[xi + 1]);
            a10 = w0.fma(b, a10);
            a11 = w1.fma(b, a11);
            b = FloatVector.broadcast(FLOATS, x[xi + 2]);
            a20 = w0.fma(b, a20);
            a21 = w1.fma(b, a21);
            b = FloatVector.broadcast(FLOATS, x[xi + 3]);
            a30 = w0.fma(b, a30);
            a31 = w1.fma(b, a31);
        }
        a00.intoArray(sums, 0);
        a01.intoArray(sums, lanes);
        a10.intoArray(sums, OUTPUTS);
        a11.intoArray(sums, OUTPUTS + lanes);
        a20.intoArray(sums, 2 * OUTPUTS);
        a21.intoArray(sums, 2 * OUTPUTS + lanes);
        a30.intoArray(sums, 3 * OUTPUTS);
        a31.intoArray(sums, 3 * OUTPUTS + lanes);
    }

    /**
     * {@link #fp32Block}'s sums in int32, from int16 products of pairs of inputs. Per pair of inputs and token: two
     * int16 multiplies and an add (exact: two products of values in [-127, 127] fit in int16), then each int32 lane,
     * holding the pair sums of two neighbouring outputs, split into them by shifts (sign-extending) and added to
     * the sums of even and of odd outputs: the Vector API's nearest to {@code vpmaddwd}. Two tokens per pass over
     * the weights, the passes compiled apart from the benchmark method: with all four tokens in one loop, or the
     * passes inlined into the benchmark method, C2 runs out of inlining budget for the Vector API's methods and
     * boxes the vectors.
     */
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    static void int16Block(short[] w, short[] x, int inputs, int[] sums) {
        for (int t = 0; t < TOKENS; t += 2) {
            int16TwoTokens(w, x, inputs, t, sums);
        }
    }

    private static void int16TwoTokens(short[] w, short[] x, int inputs, int t, int[] sums) {
        IntVector e0 = IntVector.zero(INTS), o0 = IntVector.zero(INTS);
        IntVector e1 = IntVector.zero(INTS), o1 = IntVector.zero(INTS);
        for (int i = 0; i < inputs; i += 2) {
            ShortVector w0 = ShortVector.fromArray(SHORTS, w, i * OUTPUTS);
            ShortVector w1 = ShortVector.fromArray(SHORTS, w, (i + 1) * OUTPUTS);
            int xi = i * TOKENS + t;
            IntVector p = pairProducts(w0, w1, x[xi], x[xi + TOKENS]);
            e0 = e0.add(even(p));
            o0 = o0.add(odd(p));
            p = pairProducts(w0, w1, x[xi + 1], x[xi + TOKENS + 1]);
            e1 = e1.add(even(p));
            o1 = o1.add(odd(p));
        }
        interleave(e0, o0, sums, t * OUTPUTS);
        interleave(e1, o1, sums, (t + 1) * OUTPUTS);
    }

    /** {@code w0 * x0 + w1 * x1} in int16 lanes, seen as int32 lanes of two neighbouring outputs each. */
    private static IntVector pairProducts(ShortVector w0, ShortVector w1, short x0, short x1) {
        return (IntVector) w0.mul(x0).add(w1.mul(x1)).reinterpretShape(INTS, 0);
    }

    /** The low int16 of each lane (the even output, little-endian), sign-extended. */
    private static IntVector even(IntVector p) {
        return p.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16);
    }

    /** The high int16 of each lane (the odd output), sign-extended. */
    private static IntVector odd(IntVector p) {
        return p.lanewise(VectorOperators.ASHR, 16);
    }

    /**
     * Stores the sums of the even and the odd outputs in output order, through memory: extracting lanes one by one
     * adds enough to the method for C2 to stop inlining the Vector API's methods into it.
     */
    private static void interleave(IntVector even, IntVector odd, int[] sums, int at) {
        int lanes = INTS.length();
        int[] halves = new int[2 * lanes];
        even.intoArray(halves, 0);
        odd.intoArray(halves, lanes);
        for (int j = 0; j < lanes; j++) {
            sums[at + 2 * j] = halves[j];
            sums[at + 2 * j + 1] = halves[lanes + j];
        }
    }

    /** {@code sums[j] += a[2j] * b[2j] + a[2j+1] * b[2j+1]}: the shape C2 compiles to {@code vpmaddwd}. */
    static void mulAddPairs(short[] a, short[] b, int[] sums) {
        for (int j = 0; j < sums.length; j++) {
            sums[j] += a[2 * j] * b[2 * j] + a[2 * j + 1] * b[2 * j + 1];
        }
    }

    /** Symmetric int8 values, in [-127, 127], as w8a8 quantises them. */
    static byte[] int8(Random random, int n) {
        byte[] v = new byte[n];
        for (int i = 0; i < n; i++) {
            v[i] = (byte) (random.nextInt(255) - 127);
        }
        return v;
    }

    static float[] floats(byte[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = v[i];
        }
        return f;
    }

    static short[] shorts(byte[] v) {
        short[] s = new short[v.length];
        for (int i = 0; i < v.length; i++) {
            s[i] = v[i];
        }
        return s;
    }
}
