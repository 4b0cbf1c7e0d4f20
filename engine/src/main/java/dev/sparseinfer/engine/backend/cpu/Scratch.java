package dev.sparseinfer.engine.backend.cpu;

/**
 * Per-thread scratch arrays that grow to the largest size asked for and are then reused, so kernels that repack
 * their input (row tiles, transposes) allocate nothing on the hot path after the first calls.
 */
final class Scratch {

    private static final ThreadLocal<float[]> FLOATS = ThreadLocal.withInitial(() -> new float[0]);

    private Scratch() {
    }

    /** An array of at least {@code length} floats owned by the calling thread; its contents are undefined. */
    static float[] floats(int length) {
        float[] a = FLOATS.get();
        if (a.length < length) {
            a = new float[length];
            FLOATS.set(a);
        }
        return a;
    }
}
