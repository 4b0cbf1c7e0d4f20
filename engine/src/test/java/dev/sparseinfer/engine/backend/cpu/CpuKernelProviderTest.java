package dev.sparseinfer.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.Precision;
import dev.sparseinfer.engine.api.SparseInferException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CpuKernelProviderTest {

    private static final NativeInt8Property NOT_ASKED = NativeInt8Property.parse(null, null);
    /** Linux x86-64 with the library, on a CPU that runs both instruction sets (bits 0 and 1). */
    private static final CpuKernelProvider.NativeInt8Host HOST =
            new CpuKernelProvider.NativeInt8Host("Linux", "amd64", true, () -> 0b11);

    @Test
    void withTheModuleTheVectorKernelsRunAtTheWidthAskedFor() {
        CpuKernelSelection preferred = CpuKernelProvider.select(true, null, NOT_ASKED, HOST);
        assertTrue(preferred.vectorApi());
        assertEquals(VectorBitsProperty.PREFERRED, preferred.vectorBits());
        assertEquals(Optional.empty(), preferred.notice());
        assertEquals(256, CpuKernelProvider.select(true, "256", NOT_ASKED, HOST).vectorBits());
    }

    @Test
    void withoutTheModuleTheScalarKernelsRunAndTheNoticeNamesTheFlag() {
        CpuKernelSelection scalar = CpuKernelProvider.select(false, null, NOT_ASKED, HOST);
        assertFalse(scalar.vectorApi());
        assertEquals(
                Optional.of("cpu: the Vector API module is missing, running the scalar kernels (much slower);"
                        + " start the JVM with --add-modules jdk.incubator.vector"),
                scalar.notice());
        try (CpuBackend backend = new CpuBackend(scalar, 2)) {
            assertEquals("cpu (scalar, 2 threads)", backend.description());
            assertEquals(scalar.notice(), backend.notice());
        }
    }

    @Test
    void aBadWidthIsRefusedWhetherOrNotTheModuleIsThere() {
        for (boolean module : new boolean[] {true, false}) {
            SparseInferException e = assertThrows(
                    SparseInferException.class, () -> CpuKernelProvider.select(module, "300", NOT_ASKED, HOST));
            assertEquals(SparseInferException.Code.INVALID_ARGUMENT, e.code());
            assertTrue(e.getMessage().contains("got '300'"), e.getMessage());
        }
    }

    @Test
    void thisJvmDecidesOnceAndRunsTheVectorKernelsAtTheirWidth() {
        CpuKernelSelection selection = CpuKernelProvider.selection();
        assertSame(selection, CpuKernelProvider.selection());
        // The build's test JVMs start with the module (see jvm.modules in the parent pom).
        assertTrue(selection.vectorApi(), "the tests run with --add-modules jdk.incubator.vector");
        if (selection.vectorBits() != VectorBitsProperty.PREFERRED) {
            assertEquals(selection.vectorBits(), CpuVectorShape.FLOATS.vectorBitSize());
        }
        assertEquals(CpuVectorShape.FLOATS.vectorBitSize(), CpuVectorShape.INTS.vectorBitSize());
        try (CpuBackend backend = new CpuBackend(1)) {
            String nativeInt8 = selection
                    .nativeInt8()
                    .map(isa -> ", native " + isa.label() + " int8")
                    .orElse("");
            assertEquals(
                    "cpu (Vector API, " + CpuVectorShape.FLOATS.vectorBitSize() + "-bit" + nativeInt8 + ", 1 thread)",
                    backend.description());
            // Without the native kernels (no gcc at build time, another CPU), the notice says why in one line.
            assertEquals(selection.nativeInt8().isEmpty(), backend.notice().isPresent());
        }
    }

    @Test
    void w8a8RunsTheBestNativeKernelsThisCpuHasAndTheDescriptionSaysWhich() {
        assertEquals(
                Optional.of(NativeInt8Isa.AVX512_VNNI),
                CpuKernelProvider.select(true, null, NOT_ASKED, HOST).nativeInt8());
        CpuKernelSelection avx2Only = CpuKernelProvider.select(
                true, null, NOT_ASKED, new CpuKernelProvider.NativeInt8Host("Linux", "x86_64", true, () -> 0b01));
        assertEquals(Optional.of(NativeInt8Isa.AVX2), avx2Only.nativeInt8());
        assertEquals(Optional.empty(), avx2Only.notice());
        try (CpuBackend backend = new CpuBackend(avx2Only, 2)) {
            assertTrue(backend.description().endsWith(", native avx2 int8, 2 threads)"), backend.description());
        }
    }

    @Test
    void anInstructionSetAskedForByNameRunsIfTheCpuHasIt() {
        CpuKernelSelection avx2 = CpuKernelProvider.select(true, null, NativeInt8Property.parse("avx2", null), HOST);
        assertEquals(Optional.of(NativeInt8Isa.AVX2), avx2.nativeInt8());
        CpuKernelSelection refused = CpuKernelProvider.select(
                true,
                null,
                NativeInt8Property.parse(null, "avx512-vnni"),
                new CpuKernelProvider.NativeInt8Host("Linux", "amd64", true, () -> 0b01));
        assertEquals(Optional.empty(), refused.nativeInt8());
        assertEquals(
                Optional.of("cpu: SPARSEINFER_NATIVE=avx512-vnni asks for native int8 kernels this CPU cannot run,"
                        + " w8a8 runs the Vector API kernels"),
                refused.notice());
    }

    /** Each reason the native kernels do not run gives the Vector API kernels and one notice line saying why. */
    @Test
    void withoutTheNativeKernelsW8a8RunsTheVectorKernelsWithOneNotice() {
        String fallback = ", w8a8 runs the Vector API kernels";
        assertFallback(
                CpuKernelProvider.select(true, null, NativeInt8Property.parse("false", "true"), HOST),
                "cpu: native int8 kernels off (-Dsparseinfer.native=false)" + fallback);
        assertFallback(
                CpuKernelProvider.select(true, null, NativeInt8Property.parse(null, " false "), HOST),
                "cpu: native int8 kernels off (SPARSEINFER_NATIVE=false)" + fallback);
        assertFallback(
                CpuKernelProvider.select(
                        true,
                        null,
                        NOT_ASKED,
                        new CpuKernelProvider.NativeInt8Host("Mac OS X", "aarch64", false, () -> 0b11)),
                "cpu: no native int8 kernels for Mac OS X aarch64" + fallback);
        assertFallback(
                CpuKernelProvider.select(
                        true,
                        null,
                        NOT_ASKED,
                        new CpuKernelProvider.NativeInt8Host("Linux", "amd64", false, () -> 0b11)),
                "cpu: native int8 kernels not found (no sparseinfer-native-cpu jar built with gcc on the class path)"
                        + fallback);
        assertFallback(
                CpuKernelProvider.select(
                        true, null, NOT_ASKED, new CpuKernelProvider.NativeInt8Host("Linux", "amd64", true, () -> {
                            throw new UnsatisfiedLinkError("noexec /tmp");
                        })),
                "cpu: native int8 kernels failed to load (java.lang.UnsatisfiedLinkError: noexec /tmp)" + fallback);
        assertFallback(
                CpuKernelProvider.select(
                        true, null, NOT_ASKED, new CpuKernelProvider.NativeInt8Host("Linux", "amd64", true, () -> 0)),
                "cpu: this CPU has neither AVX2 nor AVX-512 VNNI for the native int8 kernels" + fallback);
    }

    private static void assertFallback(CpuKernelSelection selection, String notice) {
        assertTrue(selection.vectorApi());
        assertEquals(Optional.empty(), selection.nativeInt8());
        assertEquals(Optional.of(notice), selection.notice());
        try (CpuBackend backend = new CpuBackend(selection, 1)) {
            assertEquals(Optional.of(notice), backend.notice());
            assertFalse(backend.description().contains("native"), backend.description());
        }
    }

    /** bf16 runs where si_levels() has its bit (2); elsewhere one notice line says why and dense layers run fp32. */
    @Test
    void bf16RunsWhereTheCpuHasItAndIsRefusedInOneLineWhereNot() {
        CpuKernelSelection withBf16 = CpuKernelProvider.select(
                true, null, NOT_ASKED, new CpuKernelProvider.NativeInt8Host("Linux", "amd64", true, () -> 0b111));
        try (CpuBackend backend = new CpuBackend(withBf16, 2, Precision.BF16)) {
            assertTrue(
                    backend.description().endsWith(", native avx512-vnni int8, avx512-bf16 linear, 2 threads)"),
                    backend.description());
            assertEquals(Optional.empty(), backend.notice());
        }
        try (CpuBackend backend = new CpuBackend(withBf16, 2, Precision.FP32)) {
            assertFalse(backend.description().contains("bf16"), backend.description());
        }
        String refused = "cpu: bf16 precision refused, dense layers run fp32: ";
        try (CpuBackend backend =
                new CpuBackend(CpuKernelProvider.select(true, null, NOT_ASKED, HOST), 2, Precision.BF16)) {
            assertFalse(backend.description().contains("bf16"), backend.description());
            assertEquals(Optional.of(refused + "this CPU has no AVX512-BF16"), backend.notice());
        }
        CpuKernelSelection scalar = CpuKernelProvider.select(false, null, NOT_ASKED, HOST);
        try (CpuBackend backend = new CpuBackend(scalar, 1, Precision.BF16)) {
            assertEquals(
                    Optional.of(scalar.notice().get() + "; " + refused + "the scalar kernels run every layer"),
                    backend.notice());
        }
    }

    @Test
    void aBadNativeSettingIsRefusedNamingWhereItCameFrom() {
        SparseInferException e =
                assertThrows(SparseInferException.class, () -> NativeInt8Property.parse("avx9000", null));
        assertEquals(SparseInferException.Code.INVALID_ARGUMENT, e.code());
        assertEquals(
                "-Dsparseinfer.native=avx9000: expected true, false, avx2 or avx512-vnni (native int8 kernels)",
                e.getMessage());
    }
}
