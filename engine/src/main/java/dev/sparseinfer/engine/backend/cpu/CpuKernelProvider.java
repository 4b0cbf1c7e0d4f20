package dev.sparseinfer.engine.backend.cpu;

import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * Decides once per JVM which kernels the CPU backend runs: the Vector API kernels, at the width
 * {@code -Dsparseinfer.cpu.vectorBits} asks for or else the JVM's preferred one, when the JVM was started with the
 * {@code jdk.incubator.vector} module; otherwise the scalar kernels, with a one-line notice naming the flag that
 * fixes it. With the Vector API, w8a8 layers run on the native int8 kernels ({@link NativeInt8Library}) at the best
 * instruction set this CPU has, unless {@code -Dsparseinfer.native} (or {@code SPARSEINFER_NATIVE}) says otherwise;
 * where they cannot run, a one-line notice says why and w8a8 runs the Vector API kernels. It also records whether
 * the library's bf16 kernel runs here, for backends asked for {@link dev.sparseinfer.engine.api.Precision#BF16}. A bad
 * setting is refused first, with a one-line error, before any Vector API class loads.
 */
public final class CpuKernelProvider {

    static final String VECTOR_MODULE = "jdk.incubator.vector";
    static final String MISSING_MODULE_NOTICE = "cpu: the Vector API module is missing, running the scalar kernels"
            + " (much slower); start the JVM with --add-modules " + VECTOR_MODULE;
    private static final String FALLBACK = ", w8a8 runs the Vector API kernels";

    /** Guarded by the class: set by the first call that succeeds, so a refused width is refused again next time. */
    private static CpuKernelSelection chosen;

    private CpuKernelProvider() {}

    /** This JVM's kernels, decided by the first call. */
    public static synchronized CpuKernelSelection selection() {
        if (chosen == null) {
            chosen = select(
                    ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent(),
                    System.getProperty(VectorBitsProperty.NAME),
                    NativeInt8Property.parse(
                            System.getProperty(NativeInt8Property.NAME), System.getenv(NativeInt8Property.ENV)),
                    new NativeInt8Host(
                            System.getProperty("os.name"),
                            System.getProperty("os.arch"),
                            NativeInt8Library.class.getResource(NativeInt8Library.RESOURCE) != null,
                            NativeInt8Library::levels));
        }
        return chosen;
    }

    /**
     * What the native int8 choice depends on, given so tests can stand in for another machine.
     *
     * @param levels loads the library and returns {@code si_levels()}; throws if the library does not load
     */
    record NativeInt8Host(String os, String arch, boolean libraryPresent, IntSupplier levels) {}

    /** The decision, with what it depends on given, so tests can stand in for a JVM without the module. */
    static CpuKernelSelection select(
            boolean vectorModule, String vectorBitsProperty, NativeInt8Property nativeInt8, NativeInt8Host host) {
        int bits = VectorBitsProperty.parse(vectorBitsProperty);
        if (!vectorModule) {
            return CpuKernelSelection.scalar(Optional.of(MISSING_MODULE_NOTICE));
        }
        if (!nativeInt8.enabled()) {
            String off = "off (" + nativeInt8.source() + ")";
            return withoutLibrary(bits, "native int8 kernels " + off, "the native library is " + off);
        }
        if (!"Linux".equals(host.os()) || !("amd64".equals(host.arch()) || "x86_64".equals(host.arch()))) {
            String platform = host.os() + " " + host.arch();
            return withoutLibrary(bits, "no native int8 kernels for " + platform, "no native library for " + platform);
        }
        if (!host.libraryPresent()) {
            String missing = " not found (no sparseinfer-native-cpu jar built with gcc on the class path)";
            return withoutLibrary(bits, "native int8 kernels" + missing, "the native library" + missing);
        }
        int levels;
        try {
            levels = host.levels().getAsInt();
        } catch (LinkageError | RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            String failed = " failed to load (" + cause + ")";
            return withoutLibrary(bits, "native int8 kernels" + failed, "the native library" + failed);
        }
        Optional<String> bf16 =
                NativeBf16Linear.supportedBy(levels) ? Optional.empty() : Optional.of("this CPU has no AVX512-BF16");
        if (nativeInt8.forced().isPresent()) {
            NativeInt8Isa isa = nativeInt8.forced().get();
            return isa.supportedBy(levels)
                    ? CpuKernelSelection.vector(bits, Optional.of(isa), Optional.empty(), bf16)
                    : CpuKernelSelection.vector(
                            bits,
                            Optional.empty(),
                            Optional.of("cpu: " + nativeInt8.source()
                                    + " asks for native int8 kernels this CPU cannot run" + FALLBACK),
                            bf16);
        }
        for (NativeInt8Isa isa : new NativeInt8Isa[] {NativeInt8Isa.AVX512_VNNI, NativeInt8Isa.AVX2}) {
            if (isa.supportedBy(levels)) {
                return CpuKernelSelection.vector(bits, Optional.of(isa), Optional.empty(), bf16);
            }
        }
        return CpuKernelSelection.vector(
                bits,
                Optional.empty(),
                Optional.of(
                        "cpu: this CPU has neither AVX2 nor AVX-512 VNNI for the native" + " int8 kernels" + FALLBACK),
                bf16);
    }

    /** The Vector API kernels with no native library, saying why for w8a8 and, if asked for, for bf16. */
    private static CpuKernelSelection withoutLibrary(int bits, String int8Why, String bf16Why) {
        return CpuKernelSelection.vector(
                bits, Optional.empty(), Optional.of("cpu: " + int8Why + FALLBACK), Optional.of(bf16Why));
    }
}
