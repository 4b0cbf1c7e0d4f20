package dev.sparseinfer.engine.backend.cpu;

import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one vector shape every CPU kernel uses: the JVM's preferred shape (256 bits with AVX2, 512 with AVX-512, 128
 * on NEON), or the one {@code -Dsparseinfer.cpu.vectorBits=128|256|512} names, as {@link CpuKernelProvider} read
 * it. The property lets a user compare widths on one machine (some AVX-512 CPUs lower their clock for 512-bit work,
 * so 256 bits can be faster there), and lets the tests run the kernels at widths this CPU lacks: a shape wider than the CPU's runs in the Vector API's
 * pure-Java fallback, with the same results, orders of magnitude slower.
 */
final class CpuVectorShape {

    private static final VectorShape SHAPE = shape();
    static final VectorSpecies<Float> FLOATS = VectorSpecies.of(float.class, SHAPE);
    static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, SHAPE);

    private CpuVectorShape() {}

    private static VectorShape shape() {
        int bits = CpuKernelProvider.selection().vectorBits();
        return bits == VectorBitsProperty.PREFERRED ? VectorShape.preferredShape() : VectorShape.forBitSize(bits);
    }
}
