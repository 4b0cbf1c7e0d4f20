package dev.sparseinfer.engine.backend.cpu;

import java.util.Optional;

/**
 * Decides once per JVM which kernels the CPU backend runs: the Vector API kernels, at the width
 * {@code -Dsparseinfer.cpu.vectorBits} asks for or else the JVM's preferred one, when the JVM was started with the
 * {@code jdk.incubator.vector} module; otherwise the scalar kernels, with a one-line notice naming the flag that
 * fixes it. A bad width is refused first, with a one-line error, before any Vector API class loads.
 */
public final class CpuKernelProvider {

    static final String VECTOR_MODULE = "jdk.incubator.vector";
    static final String MISSING_MODULE_NOTICE = "cpu: the Vector API module is missing, running the scalar kernels"
            + " (much slower); start the JVM with --add-modules " + VECTOR_MODULE;

    /** Guarded by the class: set by the first call that succeeds, so a refused width is refused again next time. */
    private static CpuKernelSelection chosen;

    private CpuKernelProvider() {}

    /** This JVM's kernels, decided by the first call. */
    public static synchronized CpuKernelSelection selection() {
        if (chosen == null) {
            chosen = select(
                    ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent(),
                    System.getProperty(VectorBitsProperty.NAME));
        }
        return chosen;
    }

    /** The decision, with what it depends on given, so tests can stand in for a JVM without the module. */
    static CpuKernelSelection select(boolean vectorModule, String vectorBitsProperty) {
        int bits = VectorBitsProperty.parse(vectorBitsProperty);
        return vectorModule
                ? CpuKernelSelection.vector(bits)
                : CpuKernelSelection.scalar(Optional.of(MISSING_MODULE_NOTICE));
    }
}
