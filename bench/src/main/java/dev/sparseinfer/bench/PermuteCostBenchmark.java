package dev.sparseinfer.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a lane permute whose pattern is data ({@code rearrange} with a shuffle loaded from memory; {@code vpermps}
 * on AVX2) adds to an FMA on this core. 2:4 weights need one per kept weight and token when their outputs share a
 * vector (each lane picks its own input of a window), so this ratio bounds what output-major 2:4 can gain over
 * dense. Both methods load four input vectors per step and run eight independent FMA chains (enough to cover FMA
 * latency on two FMA pipes); {@link #permuteThenFma} first permutes every FMA's input with one of two shuffles.
 * {@link JmhSummary} prints the ratio of their times: the cost of a permute + FMA in FMAs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class PermuteCostBenchmark {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int STEPS = 10_000;
    private static final int INPUTS = 16;

    public float[] inputs = inputs();
    public int[] lanes = lanes();

    private static float[] inputs() {
        float[] a = new float[(INPUTS + 3) * SPECIES.length()];
        for (int i = 0; i < a.length; i++) {
            a[i] = 1e-6f * i;
        }
        return a;
    }

    /** Two permutations, each a lane's index times an odd number, modulo the lane count. */
    private static int[] lanes() {
        int n = SPECIES.length();
        int[] l = new int[2 * n];
        for (int i = 0; i < n; i++) {
            l[i] = 3 * i % n;
            l[n + i] = 5 * i % n;
        }
        return l;
    }

    @Benchmark
    public float fmaOnly() {
        int n = SPECIES.length();
        FloatVector w = FloatVector.broadcast(SPECIES, 0.5f);
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int i = 0; i < STEPS; i++) {
            int at = (i & (INPUTS - 1)) * n;
            FloatVector x0 = FloatVector.fromArray(SPECIES, inputs, at);
            FloatVector x1 = FloatVector.fromArray(SPECIES, inputs, at + n);
            FloatVector x2 = FloatVector.fromArray(SPECIES, inputs, at + 2 * n);
            FloatVector x3 = FloatVector.fromArray(SPECIES, inputs, at + 3 * n);
            a0 = x0.fma(w, a0);
            a1 = x0.fma(x1, a1);
            a2 = x1.fma(w, a2);
            a3 = x1.fma(x2, a3);
            a4 = x2.fma(w, a4);
            a5 = x2.fma(x3, a5);
            a6 = x3.fma(w, a6);
            a7 = x3.fma(x0, a7);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).reduceLanes(VectorOperators.ADD);
    }

    @Benchmark
    public float permuteThenFma() {
        int n = SPECIES.length();
        FloatVector w = FloatVector.broadcast(SPECIES, 0.5f);
        VectorShuffle<Float> s = IntVector.fromArray(IntVector.SPECIES_PREFERRED, lanes, 0)
                .toShuffle()
                .cast(SPECIES);
        VectorShuffle<Float> t = IntVector.fromArray(IntVector.SPECIES_PREFERRED, lanes, n)
                .toShuffle()
                .cast(SPECIES);
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int i = 0; i < STEPS; i++) {
            int at = (i & (INPUTS - 1)) * n;
            FloatVector x0 = FloatVector.fromArray(SPECIES, inputs, at);
            FloatVector x1 = FloatVector.fromArray(SPECIES, inputs, at + n);
            FloatVector x2 = FloatVector.fromArray(SPECIES, inputs, at + 2 * n);
            FloatVector x3 = FloatVector.fromArray(SPECIES, inputs, at + 3 * n);
            a0 = x0.rearrange(s).fma(w, a0);
            a1 = x0.rearrange(t).fma(w, a1);
            a2 = x1.rearrange(s).fma(w, a2);
            a3 = x1.rearrange(t).fma(w, a3);
            a4 = x2.rearrange(s).fma(w, a4);
            a5 = x2.rearrange(t).fma(w, a5);
            a6 = x3.rearrange(s).fma(w, a6);
            a7 = x3.rearrange(t).fma(w, a7);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).reduceLanes(VectorOperators.ADD);
    }
}
