package dev.sparseinfer.engine.backend.cpu;

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
final class NativeInt8Linear extends NativePanelLinear {

    private final NativeInt8Isa isa;
    private final MemorySegment packed;
    private final MemorySegment scales;
    private final MemorySegment bias;

    NativeInt8Linear(NativeInt8Isa isa, Arena arena, int out, int in, byte[] weights, float[] scales, float[] bias) {
        super(out, in);
        this.isa = isa;
        this.packed = arena.allocate(NativeInt8Library.packedBytes(out, in), 64);
        NativeInt8Library.pack(isa, weights, out, in, packed);
        this.scales = arena.allocateFrom(ValueLayout.JAVA_FLOAT, scales);
        this.bias = arena.allocateFrom(ValueLayout.JAVA_FLOAT, bias);
    }

    @Override
    void run(NativeScratch s, float[] x, int rows, int outFrom, int outTo, float[] y) {
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
    }
}
