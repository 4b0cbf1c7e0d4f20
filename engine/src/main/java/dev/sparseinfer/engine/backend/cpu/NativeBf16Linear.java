package dev.sparseinfer.engine.backend.cpu;

import dev.sparseinfer.engine.backend.ActivationFunction;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A dense fp32 layer run at bf16 precision on the native AVX-512 BF16 kernel ({@code vdpbf16ps}): the weights are
 * rounded to bf16 (to nearest even) and packed once, at prepare, into native memory in the kernel's layout (panels of
 * {@link #PANEL} outputs, two inputs per 32-bit lane), half the bytes of the fp32 panels, and no fp32 copy is kept;
 * each call rounds the tokens to bf16 into a per-thread scratch segment and writes the fp32 sums plus bias straight
 * into the output array. Weights and bias live in the backend's arena: a call after the backend closed fails with
 * an exception, never reads freed memory.
 */
final class NativeBf16Linear implements CpuLinear {

    /** Outputs per packed panel (native-cpu's {@code BF_PANEL}): a thread's share starts on one. */
    static final int PANEL = 64;

    /** The {@code si_levels()} bit (native-cpu's {@code LEVEL_AVX512_BF16}) saying this CPU runs the kernel. */
    private static final int LEVEL_BIT = 1 << 2;

    private final int out;
    private final int in;
    private final MemorySegment packed;
    private final MemorySegment bias;

    NativeBf16Linear(Arena arena, int out, int in, float[] weights, float[] bias) {
        if ((long) out * in != weights.length || bias.length != out) {
            throw new IllegalArgumentException("a [" + out + ", " + in + "] layer cannot take " + weights.length
                    + " weights and " + bias.length + " biases");
        }
        this.out = out;
        this.in = in;
        this.packed = arena.allocate(NativeInt8Library.bf16PackedBytes(out, in), 64);
        NativeInt8Library.bf16Pack(weights, out, in, packed);
        this.bias = arena.allocateFrom(ValueLayout.JAVA_FLOAT, bias);
    }

    /** Whether a {@code si_levels()} bit mask says this CPU runs the bf16 kernel. */
    static boolean supportedBy(int levels) {
        return (levels & LEVEL_BIT) != 0;
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
        NativeInt8Library.linearBf16(
                s.input(x),
                rows,
                in,
                s.scratch(NativeInt8Library.bf16ScratchBytes(rows, in)),
                packed,
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
