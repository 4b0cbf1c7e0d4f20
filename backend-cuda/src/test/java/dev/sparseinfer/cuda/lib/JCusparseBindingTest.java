package dev.sparseinfer.cuda.lib;

import static dev.sparseinfer.cuda.lib.StandInLibrary.hex;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.testing.Seeds;
import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JCusparse binding through JCuda's real natives, linked to a stand-in {@code libcusparse.so.12} (built with gcc
 * from {@code fake_cusparse.c}) that records what each SpMM call is given, descriptors spelled out. JCusparse links
 * once per process, so every test here shares that one stand-in.
 */
class JCusparseBindingTest {

    private static final String[] FUNCTIONS = {
        "cusparseCreate",
        "cusparseDestroy",
        "cusparseSetStream",
        "cusparseCreateCsr",
        "cusparseDestroySpMat",
        "cusparseCreateDnMat",
        "cusparseDestroyDnMat",
        "cusparseDnMatSetValues",
        "cusparseSpMM_bufferSize",
        "cusparseSpMM_preprocess",
        "cusparseSpMM"
    };
    private static final long HANDLE = 0x5eed0000c5a5L;
    private static final long WORK_SPACE = 4096;
    private static final int OUT = 67;
    private static final int IN = 131;
    private static final int MAX_TOKENS = 13;

    @TempDir
    static Path folder;

    private static StandInLibrary fake;
    private static MethodHandle liveDescriptors;
    private static MethodHandle setBufferSize;

    private final FakeWorkspaceMemory memory = new FakeWorkspaceMemory();
    private final long seed = Seeds.fresh();
    private final Random random = new Random(seed);

    @BeforeAll
    static void buildAndLoadStandIn() throws IOException {
        fake = StandInLibrary.build("fake_cusparse.c", "fake_cusparse12.map", folder, "libcusparse.so.12");
        new NativeLibraryLoader(TestLibraries.locatorOver(folder)).load(fake.library);
        liveDescriptors = fake.function("fake_live_descriptors", FunctionDescriptor.of(JAVA_INT));
        setBufferSize = fake.function("fake_set_buffer_size", FunctionDescriptor.ofVoid(JAVA_LONG));
    }

    @BeforeEach
    void everyCallSucceeds() throws Throwable {
        for (String function : FUNCTIONS) {
            fake.setStatus(function, 0);
        }
        setBufferSize.invokeExact(WORK_SPACE);
    }

    @AfterEach
    void everyDescriptorIsDestroyed() throws Throwable {
        assertEquals(0, (int) liveDescriptors.invokeExact(), "descriptors left alive");
    }

    @Test
    void opensAHandleSetsItsStreamAndDestroysIt() throws Throwable {
        long stream = random.nextLong(1L << 12, 1L << 47);
        try (Cusparse cusparse = open()) {
            assertEquals("JCusparse " + fake.library, cusparse.binding());
            cusparse.setStream(stream);
            assertEquals(
                    Map.of("handle", hex(HANDLE), "stream", hex(stream)),
                    fake.lastCall("cusparseSetStream"),
                    "seed " + seed);
        }
        assertEquals(Map.of("handle", hex(HANDLE)), fake.lastCall("cusparseDestroy"));
    }

    @Test
    void preparePreprocessesTheTransposedColumnMajorProductForTheLargestTokenCount() throws Throwable {
        Csr csr = Csr.random(random);
        try (Cusparse cusparse = open();
                CsrMatMul product = csr.prepare(cusparse, DataType.F16)) {
            assertEquals(MAX_TOKENS, product.maxTokens());
            String x = memory.allocated(0);
            String y = memory.allocated(1);
            assertEquals(
                    List.of(
                            "allocate " + (MAX_TOKENS * IN * 2) + " " + x,
                            "allocate " + (MAX_TOKENS * OUT * 4) + " " + y,
                            "allocate " + WORK_SPACE + " " + memory.allocated(2),
                            "allocate " + WORK_SPACE + " " + memory.allocated(3),
                            "synchronize",
                            "free " + y,
                            "free " + x),
                    memory.events,
                    "seed " + seed);
            assertEquals(
                    csr.expectedCall(DataType.F16, MAX_TOKENS, x, y, memory.allocated(2)),
                    fake.lastCall("cusparseSpMM_preprocess"),
                    "seed " + seed);
        }
    }

    @Test
    void productsReadAndWriteTheCallersMemoryWithTheWorkSpaceForTheirTokenCount() throws Throwable {
        Csr csr = Csr.random(random);
        for (DataType type : new DataType[] {DataType.F16, DataType.F32}) {
            FakeWorkspaceMemory plan = new FakeWorkspaceMemory();
            try (Cusparse cusparse = JCusparseBinding.open(fake.library, plan);
                    CsrMatMul product = csr.prepare(cusparse, type)) {
                int eventsAfterPrepare = plan.events.size();
                String preprocessed = plan.allocated(2);
                String plain = plan.allocated(3);
                // The largest count first and again last, so a count's kept descriptors are re-pointed too.
                for (int tokens : new int[] {MAX_TOKENS, 5, 1, 5, MAX_TOKENS}) {
                    long x = address();
                    long y = address();
                    product.multiply(x, tokens, y);
                    String workSpace = tokens == MAX_TOKENS ? preprocessed : plain;
                    assertEquals(
                            csr.expectedCall(type, tokens, hex(x), hex(y), workSpace),
                            fake.lastCall("cusparseSpMM"),
                            type + ", " + tokens + " tokens, seed " + seed);
                }
                assertEquals(eventsAfterPrepare, plan.events.size(), "a product allocated or waited: " + plan.events);
            }
            assertTrue(plan.allFreed(), plan.events.toString());
            assertEquals("synchronize", plan.events.get(plan.events.size() - 3), "close waits before it frees");
        }
    }

    @Test
    void aTokenCountNeedingMoreWorkSpaceIsRefusedAndNotKept() throws Throwable {
        try (Cusparse cusparse = open();
                CsrMatMul product = Csr.random(random).prepare(cusparse, DataType.F32)) {
            setBufferSize.invokeExact(2 * WORK_SPACE);
            SparseInferException e =
                    assertThrows(SparseInferException.class, () -> product.multiply(address(), 5, address()));
            assertEquals(SparseInferException.Code.BACKEND_UNAVAILABLE, e.code());
            assertEquals(
                    "cuda: cusparseSpMM wants 8192 bytes of work space for 5 tokens, more than the 4096 it wanted"
                            + " for 13",
                    e.getMessage());
            setBufferSize.invokeExact(WORK_SPACE);
            product.multiply(address(), 5, address());
            assertEquals("5", fake.lastCall("cusparseSpMM").get("B.cols"));
        }
    }

    @Test
    void aFailedProductIsOneLineNamingTheFunctionAndTheStatus() throws Throwable {
        try (Cusparse cusparse = open();
                CsrMatMul product = Csr.random(random).prepare(cusparse, DataType.F16)) {
            fake.setStatus("cusparseSpMM", 3);
            SparseInferException e =
                    assertThrows(SparseInferException.class, () -> product.multiply(address(), 3, address()));
            assertEquals(SparseInferException.Code.BACKEND_UNAVAILABLE, e.code());
            assertEquals("cuda: cusparseSpMM failed: CUSPARSE_STATUS_INVALID_VALUE", e.getMessage());
        }
    }

    @Test
    void aFailedPreprocessLeavesNoDescriptorAndNoMemoryBehind() throws Throwable {
        try (Cusparse cusparse = open()) {
            fake.setStatus("cusparseSpMM_preprocess", 10);
            SparseInferException e = assertThrows(
                    SparseInferException.class, () -> Csr.random(random).prepare(cusparse, DataType.F16));
            assertEquals("cuda: cusparseSpMM_preprocess failed: CUSPARSE_STATUS_NOT_SUPPORTED", e.getMessage());
            assertTrue(memory.allFreed(), memory.events.toString());
        }
    }

    @Test
    void tokenCountsOutsideThePlanAndClosedPlansAreRefusedBeforeAnyCall() throws Throwable {
        try (Cusparse cusparse = open()) {
            CsrMatMul product = Csr.random(random).prepare(cusparse, DataType.F32);
            product.multiply(address(), 2, address());
            Map<String, String> before = fake.lastCall("cusparseSpMM");
            for (int tokens : new int[] {0, MAX_TOKENS + 1}) {
                SparseInferException e =
                        assertThrows(SparseInferException.class, () -> product.multiply(address(), tokens, address()));
                assertEquals(SparseInferException.Code.INVALID_ARGUMENT, e.code());
            }
            product.close();
            product.close();
            assertThrows(IllegalStateException.class, () -> product.multiply(address(), 2, address()));
            assertEquals(before, fake.lastCall("cusparseSpMM"));
        }
    }

    @Test
    void theFactoryOpensJCusparseOnTheLibraryItFinds() {
        CudaLibraryLocator locator = TestLibraries.locatorOver(folder);
        NativeLibraryLoader loader = new NativeLibraryLoader(locator);
        try (Cusparse cusparse = CusparseBindings.open(locator, library -> {
            loader.load(library);
            return JCusparseBinding.open(library, memory);
        })) {
            assertEquals("JCusparse " + fake.library, cusparse.binding());
        }
    }

    private Cusparse open() {
        return JCusparseBinding.open(fake.library, memory);
    }

    private long address() {
        return random.nextLong(1L << 32, 1L << 46) & ~0xFFL;
    }

    /** A CSR matrix's shape and device addresses: the stand-in never reads the arrays themselves. */
    private record Csr(int nonZeros, long offsets, long columns, long values) {

        static Csr random(Random random) {
            return new Csr(random.nextInt(1, OUT * IN), address(random), address(random), address(random));
        }

        CsrMatMul prepare(Cusparse cusparse, DataType type) {
            return cusparse.prepareCsr(OUT, IN, nonZeros, offsets, columns, values, type, type, MAX_TOKENS);
        }

        /**
         * {@code Y = W X}: {@code W} as stored ({@code out x in} CSR, int32 indices, zero-based), {@code X} the
         * column-major {@code in x tokens} view of {@code x}, {@code Y} the column-major {@code out x tokens} view of
         * {@code y} in fp32, fp32 compute, {@code CUSPARSE_SPMM_CSR_ALG1}, alpha 1 and beta 0.
         */
        Map<String, String> expectedCall(DataType type, int tokens, String x, String y, String workSpace) {
            Map<String, String> call = new HashMap<>();
            call.put("handle", hex(HANDLE));
            call.put("opA", "0");
            call.put("opB", "0");
            call.put("alpha", "0x1p+0");
            call.put("beta", "0x0p+0");
            call.put("A.rows", Integer.toString(OUT));
            call.put("A.cols", Integer.toString(IN));
            call.put("A.nnz", Integer.toString(nonZeros));
            call.put("A.offsets", hex(offsets));
            call.put("A.columns", hex(columns));
            call.put("A.values", hex(values));
            call.put("A.offsetType", "2");
            call.put("A.indexType", "2");
            call.put("A.base", "0");
            call.put("A.type", Integer.toString(type.code));
            call.put("B.rows", Integer.toString(IN));
            call.put("B.cols", Integer.toString(tokens));
            call.put("B.ld", Integer.toString(IN));
            call.put("B.values", x);
            call.put("B.type", Integer.toString(type.code));
            call.put("B.order", "1");
            call.put("C.rows", Integer.toString(OUT));
            call.put("C.cols", Integer.toString(tokens));
            call.put("C.ld", Integer.toString(OUT));
            call.put("C.values", y);
            call.put("C.type", "0");
            call.put("C.order", "1");
            call.put("computeType", "0");
            call.put("alg", "4");
            call.put("buffer", workSpace);
            return call;
        }

        private static long address(Random random) {
            return random.nextLong(1L << 32, 1L << 46) & ~0xFFL;
        }
    }
}
