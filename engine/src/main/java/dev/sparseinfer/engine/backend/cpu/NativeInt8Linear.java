package dev.sparseinfer.engine.backend.cpu;

import dev.sparseinfer.engine.backend.ActivationFunction;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A w8a8 layer on the native int8 kernels: the weights packed once, at prepare, into native memory in the layout the
 * kernel reads (panels of {@link #PANEL} outputs, four inputs per 32-bit lane); each call quantises the tokens into a
 * per-thread scratch segment and writes the rescaled sums straight into the output array. The sums are exact int32,
 * rescaled as {@link Int8DenseLinear} rescales its exact fp32 sums, so both give the same bits (while a sum of
 * |products| stays below 2^24, where the fp32 sums stop being exact). Weights and scales live in the backend's arena:
 * a call after the backend closed fails with an exception, never reads freed memory.
 */
final class NativeInt8Linear implements CpuLinear {

    /** Outputs per packed panel (native-cpu's {@code PANEL}): a thread's share starts on one. */
    static final int PANEL = 64;

    private final NativeInt8Isa isa;
    private final int out;
    private final int in;
    private final MemorySegment packed;
    private final MemorySegment scales;
    private final MemorySegment bias;

    NativeInt8Linear(NativeInt8Isa isa, Arena arena, int out, int in, byte[] weights, float[] scales, float[] bias) {
        this.isa = isa;
        this.out = out;
        this.in = in;
        this.packed = arena.allocate(NativeInt8Library.packedBytes(out, in), 64);
        NativeInt8Library.pack(isa, weights, out, in, packed);
        this.scales = arena.allocateFrom(ValueLayout.JAVA_FLOAT, scales);
        this.bias = arena.allocateFrom(ValueLayout.JAVA_FLOAT, bias);
    }

    @Override
    public int outFeatures() {
        return out;
    }

    @Override
    public int inFeatures() {
        return in;
    }

    @Override
    public int outputAlignment() {
        return PANEL;
    }

    @Override
    public void compute(float[] x, int rows, int outFrom, int outTo, ActivationFunction activation, float[] y) {
        // The kernel trusts these bounds: check them here, where a bad one is an exception rather than a crash.
        if ((long) rows * in > x.length || (long) rows * out > y.length || outFrom < 0 || outTo > out) {
            throw new IllegalArgumentException("a [" + out + ", " + in + "] layer cannot read " + rows + " rows from "
                    + x.length + " floats into " + y.length + " for outputs " + outFrom + ".." + outTo);
        }
        NativeScratch s = NativeScratch.ofThisThread();
        NativeInt8Library.linearW8a8(
                isa,
                s.input(x),
                rows,
                in,
                s.scratch(NativeInt8Library.scratchBytes(rows, in)),
                packed,
                scales,
                bias,
                out,
                outFrom,
                outTo,
                s.output(y));
        int to = Math.min(outTo, out);
        for (int r = 0; r < rows; r++) {
            VectorEpilogue.apply(y, r * out + outFrom, to - outFrom, activation);
        }
    }
}
