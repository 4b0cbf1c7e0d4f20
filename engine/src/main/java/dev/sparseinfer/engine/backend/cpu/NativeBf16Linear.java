package dev.sparseinfer.engine.backend.cpu;

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
final class NativeBf16Linear extends NativePanelLinear {

    /** The {@code si_levels()} bit (native-cpu's {@code LEVEL_AVX512_BF16}) saying this CPU runs the kernel. */
    private static final int LEVEL_BIT = 1 << 2;

    private final MemorySegment packed;
    private final MemorySegment bias;

    NativeBf16Linear(Arena arena, int out, int in, float[] weights, float[] bias) {
        super(out, in);
        if ((long) out * in != weights.length || bias.length != out) {
            throw new IllegalArgumentException("a [" + out + ", " + in + "] layer cannot take " + weights.length
                    + " weights and " + bias.length + " biases");
        }
        this.packed = arena.allocate(NativeInt8Library.bf16PackedBytes(out, in), 64);
        NativeInt8Library.bf16Pack(weights, out, in, packed);
        this.bias = arena.allocateFrom(ValueLayout.JAVA_FLOAT, bias);
    }

    /** Whether a {@code si_levels()} bit mask says this CPU runs the bf16 kernel. */
    static boolean supportedBy(int levels) {
        return (levels & LEVEL_BIT) != 0;
    }

    @Override
    void run(NativeScratch s, float[] x, int rows, int outFrom, int outTo, float[] y) {
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
    }
}
