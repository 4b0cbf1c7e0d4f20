package dev.sparseinfer.engine.backend.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A thread's native scratch for the native kernels, grown to the largest call and reused, and the heap views of the
 * last input and output arrays: the backend passes the same activation arrays pass after pass, so a call allocates
 * nothing.
 */
final class NativeScratch {

    private static final ThreadLocal<NativeScratch> OF_THREAD = ThreadLocal.withInitial(NativeScratch::new);

    private MemorySegment scratch = MemorySegment.NULL;
    private float[] inputArray;
    private MemorySegment inputSegment;
    private float[] outputArray;
    private MemorySegment outputSegment;

    private NativeScratch() {}

    static NativeScratch ofThisThread() {
        return OF_THREAD.get();
    }

    MemorySegment scratch(long bytes) {
        if (scratch.byteSize() < bytes) {
            scratch = Arena.ofAuto().allocate(bytes, 64);
        }
        return scratch;
    }

    MemorySegment input(float[] x) {
        if (x != inputArray) {
            inputArray = x;
            inputSegment = MemorySegment.ofArray(x);
        }
        return inputSegment;
    }

    MemorySegment output(float[] y) {
        if (y != outputArray) {
            outputArray = y;
            outputSegment = MemorySegment.ofArray(y);
        }
        return outputSegment;
    }
}
