package dev.sparseinfer.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.cuda.lib.CsrMatMul;
import dev.sparseinfer.cuda.lib.Cublas;
import dev.sparseinfer.cuda.lib.Cusparse;
import dev.sparseinfer.cuda.lib.DataType;
import dev.sparseinfer.engine.backend.ActivationFunction;
import dev.sparseinfer.kernels.KernelName;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The device linear layers' calls, recorded instead of run: which kernels in which order, with which sizes, and
 * the cuBLAS and cuSPARSE calls with the operands, leading dimensions and types the layouts require.
 */
class DeviceLinearTest {

    private static final long X = 0x1000;
    private static final long Y = 0x2000;

    private final List<String> calls = new ArrayList<>();
    private final List<KernelArguments> arguments = new ArrayList<>();
    private final DeviceKernels kernels = new DeviceKernels((kernel, geometry, args) -> {
        KernelSignatures.check(kernel, args);
        calls.add(kernel.symbol());
        arguments.add(args);
    });
    private final ActivationArena arena =
            new ActivationArena(new DeviceMemory(new MemoryAccountingTest.SimulatedDevice(1L << 32)));

    private final Cublas cublas = new Cublas() {
        @Override
        public String binding() {
            return "recorded";
        }

        @Override
        public void setStream(long stream) {}

        @Override
        public void gemmEx(
                Transpose transA,
                Transpose transB,
                int m,
                int n,
                int k,
                float alpha,
                long a,
                DataType aType,
                int lda,
                long b,
                DataType bType,
                int ldb,
                float beta,
                long c,
                DataType cType,
                int ldc,
                ComputeType compute) {
            calls.add(String.format(
                    "gemmEx %s%s m=%d n=%d k=%d alpha=%s a=%x %s lda=%d b=%s %s ldb=%d beta=%s c=%x %s ldc=%d %s",
                    transA,
                    transB,
                    m,
                    n,
                    k,
                    alpha,
                    a,
                    aType,
                    lda,
                    b == scratch() ? "scratch" : Long.toHexString(b),
                    bType,
                    ldb,
                    beta,
                    c,
                    cType,
                    ldc,
                    compute));
        }

        @Override
        public void close() {}
    };

    private final List<Integer> planSizes = new ArrayList<>();
    private final Cusparse cusparse = new Cusparse() {
        @Override
        public String binding() {
            return "recorded";
        }

        @Override
        public void setStream(long stream) {}

        @Override
        public CsrMatMul prepareCsr(
                int out,
                int in,
                int nonZeros,
                long rowOffsets,
                long columnIndices,
                long values,
                DataType valueType,
                DataType inputType,
                int maxTokens) {
            calls.add("prepareCsr " + out + "x" + in + " nnz=" + nonZeros + " " + valueType + " " + inputType + " max="
                    + maxTokens);
            planSizes.add(maxTokens);
            return new CsrMatMul() {
                boolean closed;

                @Override
                public void multiply(long x, int tokens, long y) {
                    assertTrue(!closed && tokens <= maxTokens, "plan for " + maxTokens + " given " + tokens);
                    calls.add("spmm tokens=" + tokens + " x=" + (x == scratch() ? "scratch" : Long.toHexString(x))
                            + " y=" + Long.toHexString(y));
                }

                @Override
                public int maxTokens() {
                    return maxTokens;
                }

                @Override
                public void close() {
                    closed = true;
                    calls.add("close plan " + maxTokens);
                }
            };
        }

        @Override
        public void close() {}
    };

    /** The scratch block's address (asking for 1 byte never grows it once it exists). */
    private long scratch() {
        return arena.scratch(1);
    }

    @Test
    void denseConvertsToPaddedHalvesThenLetsCublasComputeTheTransposedProduct() {
        CublasLinear layer = new CublasLinear(1536, 383, 0xA000, 0xB000, HalfOperands.FLOAT, cublas);
        layer.forward(kernels, arena, X, 17, ActivationFunction.GELU, Y);
        assertEquals(
                List.of(
                        "si_f32_to_f16_padded",
                        "gemmEx TN m=1536 n=17 k=383 alpha=1.0 a=a000 F16 lda=383 b=scratch F16 ldb=384 beta=0.0 c=2000 F32 ldc=1536 F32",
                        "si_bias_activation"),
                calls);
        assertEquals(384, arguments.getFirst().values().getInt(24), "rows padded to 8 halves");
        assertEquals(0L, arguments.getLast().values().getLong(16), "no weight scales");
        assertEquals(1, arguments.getLast().values().getInt(40), "GELU");
    }

    @Test
    void csrRemakesItsPlanWhenABatchOutgrowsIt() {
        List<String> replans = new ArrayList<>();
        CusparseLinear layer = new CusparseLinear(
                50,
                100,
                321,
                0xA000,
                0xB000,
                0xC000,
                0xD000,
                HalfOperands.FLOAT,
                cusparse,
                () -> replans.add("replan"));
        layer.forward(kernels, arena, X, 7, ActivationFunction.NONE, Y);
        layer.forward(kernels, arena, X, 300, ActivationFunction.NONE, Y);
        layer.forward(kernels, arena, X, 129, ActivationFunction.NONE, Y);
        assertEquals(List.of(CusparseLinear.INITIAL_MAX_TOKENS, 300), planSizes);
        assertEquals(List.of("replan"), replans);
        assertEquals(
                List.of(
                        "prepareCsr 50x100 nnz=321 F16 F16 max=128",
                        "si_f32_to_f16_padded",
                        "spmm tokens=7 x=scratch y=2000",
                        "si_bias_activation",
                        "close plan 128",
                        "prepareCsr 50x100 nnz=321 F16 F16 max=300",
                        "si_f32_to_f16_padded",
                        "spmm tokens=300 x=scratch y=2000",
                        "si_bias_activation",
                        "si_f32_to_f16_padded",
                        "spmm tokens=129 x=scratch y=2000",
                        "si_bias_activation"),
                calls);
        layer.close();
    }

    @Test
    void twoFourPadsActivationsToWholeKStepsAndPicksItsKernelByTokenCount() {
        TwoFourLinear layer = new TwoFourLinear(50, 100, 0xA000, 0xB000, 0xC000, HalfOperands.FLOAT, 4, 4);
        layer.forward(kernels, arena, X, 16, ActivationFunction.NONE, Y);
        layer.forward(kernels, arena, X, 17, ActivationFunction.GELU, Y);
        assertEquals(
                List.of(
                        "si_f32_to_f16_padded",
                        KernelName.TWOFOUR_SMALL_N.symbol(),
                        "si_f32_to_f16_padded",
                        KernelName.TWOFOUR_GEMM.symbol()),
                calls);
        assertEquals(128, arguments.getFirst().values().getInt(24), "kPad = 4 K steps of 32");
        assertEquals(
                arguments.get(0).values().getLong(8),
                arguments.get(1).values().getLong(16),
                "the kernel reads the converted activations");
    }

    @Test
    void twoFourW8a8QuantisesTokensToHalvesAndRescalesByBothScales() {
        TwoFourLinear layer = new TwoFourLinear(50, 100, 0xA000, 0xB000, 0xC000, new HalfOperands(0xE000, true), 4, 4);
        layer.forward(kernels, arena, X, 7, ActivationFunction.NONE, Y);
        assertEquals(List.of("si_quantize_rows_half", KernelName.TWOFOUR_SMALL_N.symbol()), calls);
        KernelArguments quantize = arguments.getFirst();
        KernelArguments twoFour = arguments.getLast();
        long halves = quantize.values().getLong(8);
        long tokenScales = quantize.values().getLong(16);
        assertEquals(128, quantize.values().getInt(28), "kPad = 4 K steps of 32");
        assertTrue(
                tokenScales >= halves + 2L * 7 * 128 && tokenScales % ActivationArena.ALIGNMENT == 0,
                "token scales after the quantised rows");
        assertEquals(halves, twoFour.values().getLong(16));
        assertEquals(0xE000L, twoFour.values().getLong(32), "weight scales");
        assertEquals(tokenScales, twoFour.values().getLong(40), "token scales");
    }

    @Test
    void csrW8a8RescalesSpmmSumsByBothScales() {
        CusparseLinear layer = new CusparseLinear(
                50, 100, 321, 0xA000, 0xB000, 0xC000, 0xD000, new HalfOperands(0xE000, true), cusparse, () -> {});
        layer.forward(kernels, arena, X, 7, ActivationFunction.GELU, Y);
        assertEquals(
                List.of(
                        "prepareCsr 50x100 nnz=321 F16 F16 max=128",
                        "si_quantize_rows_half",
                        "spmm tokens=7 x=scratch y=2000",
                        "si_bias_activation"),
                calls);
        long tokenScales = arguments.getFirst().values().getLong(16);
        KernelArguments epilogue = arguments.getLast();
        assertEquals(0xE000L, epilogue.values().getLong(16), "weight scales");
        assertEquals(tokenScales, epilogue.values().getLong(24), "token scales");
        layer.close();
    }

    @Test
    void weightOnlyInt8RescalesByTheWeightScalesAlone() {
        CublasLinear layer = new CublasLinear(64, 32, 0xA000, 0xB000, new HalfOperands(0xE000, false), cublas);
        layer.forward(kernels, arena, X, 3, ActivationFunction.NONE, Y);
        assertEquals(
                List.of(
                        "si_f32_to_f16_padded",
                        "gemmEx TN m=64 n=3 k=32 alpha=1.0 a=a000 F16 lda=32 b=scratch F16 ldb=32 beta=0.0 c=2000 F32 ldc=64 F32",
                        "si_bias_activation"),
                calls);
        assertEquals(0xE000L, arguments.getLast().values().getLong(16), "weight scales");
        assertEquals(0L, arguments.getLast().values().getLong(24), "no token scales: the input stays fp16");
    }

    @Test
    void w8a8QuantisesIntoWholeWordsAndPassesTheScalesBesideThem() {
        Int8Linear layer = new Int8Linear(33, 101, 0xA000, 0xB000, 0xC000);
        layer.forward(kernels, arena, X, 7, ActivationFunction.NONE, Y);
        assertEquals(List.of("si_quantize_rows_int8", "si_int8_gemm"), calls);
        KernelArguments quantize = arguments.getFirst();
        KernelArguments gemm = arguments.getLast();
        long quantised = quantize.values().getLong(8);
        long scales = quantize.values().getLong(16);
        assertEquals(104, quantize.values().getInt(28), "26 words of 4");
        assertTrue(scales >= quantised + 7 * 104L && scales % 4 == 0, "scales after the quantised rows");
        assertEquals(quantised, gemm.values().getLong(16));
        assertEquals(scales, gemm.values().getLong(24));
        assertEquals(26, gemm.values().getInt(56), "kWords");
    }
}
