package dev.sparseinfer.cuda.lib;

import static dev.sparseinfer.cuda.lib.JCusparseBinding.check;

import dev.sparseinfer.cuda.NativeAddress;
import dev.sparseinfer.engine.api.SparseInferException;
import jcuda.Pointer;
import jcuda.cudaDataType;
import jcuda.jcusparse.JCusparse;
import jcuda.jcusparse.cusparseConstDnMatDescr;
import jcuda.jcusparse.cusparseConstSpMatDescr;
import jcuda.jcusparse.cusparseDnMatDescr;
import jcuda.jcusparse.cusparseHandle;
import jcuda.jcusparse.cusparseIndexBase;
import jcuda.jcusparse.cusparseIndexType;
import jcuda.jcusparse.cusparseOperation;
import jcuda.jcusparse.cusparseOrder;
import jcuda.jcusparse.cusparseSpMMAlg;
import jcuda.jcusparse.cusparseSpMatDescr;

/**
 * {@code y = x W^T} through {@code cusparseSpMM}. cuSPARSE multiplies a sparse matrix from the left, so the
 * product is taken in its transposed, column-major form: {@code x}, row-major {@code [tokens, in]}, is the
 * column-major {@code in x tokens} matrix {@code X}; {@code y}, row-major {@code [tokens, out]}, is the column-major
 * {@code out x tokens} matrix {@code Y}; and {@code Y = W X} with {@code W} as stored, untransposed, and both
 * dense operands column-major with leading dimensions {@code in} and {@code out}.
 *
 * <p>The algorithm is {@code CUSPARSE_SPMM_CSR_ALG1}, cuSPARSE's CSR algorithm for column-major dense operands,
 * which takes fp16 inputs with fp32 compute and output and is one of the two that {@code cusparseSpMM_preprocess}
 * speeds up.
 *
 * <p>Dense descriptors carry their sizes and {@code cusparseDnMatSetValues} changes only the pointer, so one pair
 * is kept per token count seen, created on first use and re-pointed with {@code cusparseDnMatSetValues} afterwards:
 * two host calls per product instead of two creations and two destructions, and a token count's work space need is
 * checked once. Everything device-side is allocated at prepare time, so a product never allocates (it may run
 * inside a CUDA graph capture).
 *
 * <p>cuSPARSE ties a preprocessed work space to the call it was preprocessed for (its SpMV and SDDMM documentation
 * spells out that later calls with that buffer must keep every other argument), so the work space preprocessed for
 * {@code maxTokens} serves only products of {@code maxTokens} rows, through the very descriptors it was
 * preprocessed with; every other token count uses a second, never preprocessed, work space of the same size.
 */
final class JCusparseCsrMatMul implements CsrMatMul {

    private static final int NON_TRANSPOSE = cusparseOperation.CUSPARSE_OPERATION_NON_TRANSPOSE;
    private static final int ALGORITHM = cusparseSpMMAlg.CUSPARSE_SPMM_CSR_ALG1;
    private static final int COMPUTE = cudaDataType.CUDA_R_32F;
    /** alpha and beta, read from host memory (cuSPARSE's default pointer mode) during each call. */
    private static final Pointer ONE = Pointer.to(new float[] {1f});

    private static final Pointer ZERO = Pointer.to(new float[] {0f});

    private final cusparseHandle handle;
    private final WorkspaceMemory memory;
    private final CsrShape shape;
    private final cusparseConstSpMatDescr weights;
    private final WorkspaceMemory.Buffer preprocessedWorkSpace;
    private final WorkspaceMemory.Buffer workSpace;
    private final DenseOperands[] operandsByTokens;
    private boolean closed;

    private JCusparseCsrMatMul(
            cusparseHandle handle,
            WorkspaceMemory memory,
            CsrShape shape,
            cusparseConstSpMatDescr weights,
            DenseOperands largest,
            WorkspaceMemory.Buffer preprocessedWorkSpace,
            WorkspaceMemory.Buffer workSpace) {
        this.handle = handle;
        this.memory = memory;
        this.shape = shape;
        this.weights = weights;
        this.preprocessedWorkSpace = preprocessedWorkSpace;
        this.workSpace = workSpace;
        this.operandsByTokens = new DenseOperands[shape.maxTokens() + 1];
        this.operandsByTokens[shape.maxTokens()] = largest;
    }

    static JCusparseCsrMatMul prepare(
            cusparseHandle handle,
            WorkspaceMemory memory,
            CsrShape shape,
            long rowOffsets,
            long columnIndices,
            long values) {
        cusparseSpMatDescr created = new cusparseSpMatDescr();
        check(
                "cusparseCreateCsr",
                JCusparse.cusparseCreateCsr(
                        created,
                        shape.out(),
                        shape.in(),
                        shape.nonZeros(),
                        NativeAddress.pointer(rowOffsets),
                        NativeAddress.pointer(columnIndices),
                        NativeAddress.pointer(values),
                        cusparseIndexType.CUSPARSE_INDEX_32I,
                        cusparseIndexType.CUSPARSE_INDEX_32I,
                        cusparseIndexBase.CUSPARSE_INDEX_BASE_ZERO,
                        shape.valueType().code));
        // cuSPARSE only reads W from here on; JCusparse copies the descriptor's address into its const twin.
        cusparseConstSpMatDescr weights = created.asConst();
        try {
            return preprocessed(handle, memory, shape, weights);
        } catch (RuntimeException e) {
            JCusparse.cusparseDestroySpMat(weights); // the first failure is the one worth reporting
            throw e;
        }
    }

    /**
     * Sizes the work spaces and preprocesses {@code W} for {@code maxTokens}, on scratch dense operands of that
     * size: cuSPARSE wants real device memory behind every descriptor, and the caller's activations do not exist
     * yet. The descriptors stay, to be re-pointed at the caller's memory by each product of {@code maxTokens} rows.
     */
    private static JCusparseCsrMatMul preprocessed(
            cusparseHandle handle, WorkspaceMemory memory, CsrShape shape, cusparseConstSpMatDescr weights) {
        long tokens = shape.maxTokens();
        DenseOperands largest = null;
        WorkspaceMemory.Buffer preprocessed = null;
        WorkspaceMemory.Buffer plain = null;
        try (WorkspaceMemory.Buffer x = memory.allocate(tokens * shape.in() * shape.inputType().bytes);
                WorkspaceMemory.Buffer y = memory.allocate(tokens * shape.out() * DataType.F32.bytes)) {
            largest = DenseOperands.create(shape, shape.maxTokens(), x.pointer(), y.pointer());
            long bytes = largest.workSpaceBytes(handle, weights);
            preprocessed = memory.allocate(bytes);
            plain = memory.allocate(bytes);
            check(
                    "cusparseSpMM_preprocess",
                    JCusparse.cusparseSpMM_preprocess(
                            handle,
                            NON_TRANSPOSE,
                            NON_TRANSPOSE,
                            ONE,
                            weights,
                            largest.constInput,
                            ZERO,
                            largest.output,
                            COMPUTE,
                            ALGORITHM,
                            preprocessed.pointer()));
            // The scratch operands are freed on leaving this block; preprocessing may still be running on the
            // handle's stream, and freeing memory a kernel reads is undefined.
            memory.synchronize();
            return new JCusparseCsrMatMul(handle, memory, shape, weights, largest, preprocessed, plain);
        } catch (RuntimeException e) {
            // Release what was made before the failure, which is the one worth reporting.
            for (AutoCloseable made : new AutoCloseable[] {largest, preprocessed, plain}) {
                closeQuietly(made);
            }
            throw e;
        }
    }

    @Override
    public void multiply(long x, int tokens, long y) {
        if (closed) {
            throw new IllegalStateException("cuda: this CSR product is closed");
        }
        shape.checkTokens(tokens);
        Pointer input = NativeAddress.pointer(x);
        Pointer output = NativeAddress.pointer(y);
        DenseOperands operands = operandsByTokens[tokens];
        if (operands == null) {
            operands = fittingOperands(tokens, input, output);
            operandsByTokens[tokens] = operands;
        } else {
            operands.pointTo(input, output);
        }
        WorkspaceMemory.Buffer buffer = tokens == shape.maxTokens() ? preprocessedWorkSpace : workSpace;
        check(
                "cusparseSpMM",
                JCusparse.cusparseSpMM(
                        handle,
                        NON_TRANSPOSE,
                        NON_TRANSPOSE,
                        ONE,
                        weights,
                        operands.constInput,
                        ZERO,
                        operands.output,
                        COMPUTE,
                        ALGORITHM,
                        buffer.pointer()));
    }

    /** New operands for {@code tokens}, whose work space need must fit what was allocated for {@code maxTokens}. */
    private DenseOperands fittingOperands(int tokens, Pointer input, Pointer output) {
        DenseOperands operands = DenseOperands.create(shape, tokens, input, output);
        long needed;
        try {
            needed = operands.workSpaceBytes(handle, weights);
        } catch (RuntimeException e) {
            operands.close();
            throw e;
        }
        if (needed > workSpace.bytes()) {
            operands.close();
            throw new SparseInferException(
                    SparseInferException.Code.BACKEND_UNAVAILABLE,
                    "cuda: cusparseSpMM wants "
                            + needed + " bytes of work space for " + tokens + " tokens, more than the "
                            + workSpace.bytes()
                            + " it wanted for " + shape.maxTokens());
        }
        return operands;
    }

    @Override
    public int maxTokens() {
        return shape.maxTokens();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (DenseOperands operands : operandsByTokens) {
            if (operands != null) {
                operands.close();
            }
        }
        check("cusparseDestroySpMat", JCusparse.cusparseDestroySpMat(weights));
        if (workSpace.bytes() > 0) {
            // The last product may still be reading a work space on the handle's stream.
            memory.synchronize();
        }
        preprocessedWorkSpace.close();
        workSpace.close();
    }

    private static void closeQuietly(AutoCloseable resource) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (Exception e) {
            // Cleanup after a failure: the original failure is reported.
        }
    }

    /** The dense descriptors for one token count: {@code X} ({@code in x tokens}), {@code Y} ({@code out x tokens}). */
    private static final class DenseOperands implements AutoCloseable {

        final cusparseDnMatDescr input;
        final cusparseConstDnMatDescr constInput;
        final cusparseDnMatDescr output;

        private DenseOperands(cusparseDnMatDescr input, cusparseDnMatDescr output) {
            this.input = input;
            this.constInput = input.asConst();
            this.output = output;
        }

        static DenseOperands create(CsrShape shape, int tokens, Pointer x, Pointer y) {
            cusparseDnMatDescr input = new cusparseDnMatDescr();
            check(
                    "cusparseCreateDnMat",
                    JCusparse.cusparseCreateDnMat(
                            input,
                            shape.in(),
                            tokens,
                            shape.in(),
                            x,
                            shape.inputType().code,
                            cusparseOrder.CUSPARSE_ORDER_COL));
            cusparseDnMatDescr output = new cusparseDnMatDescr();
            int status = JCusparse.cusparseCreateDnMat(
                    output, shape.out(), tokens, shape.out(), y, DataType.F32.code, cusparseOrder.CUSPARSE_ORDER_COL);
            if (status != 0) {
                JCusparse.cusparseDestroyDnMat(input.asConst()); // the failed creation is the one worth reporting
                check("cusparseCreateDnMat", status);
            }
            return new DenseOperands(input, output);
        }

        long workSpaceBytes(cusparseHandle handle, cusparseConstSpMatDescr weights) {
            long[] bytes = new long[1];
            check(
                    "cusparseSpMM_bufferSize",
                    JCusparse.cusparseSpMM_bufferSize(
                            handle,
                            NON_TRANSPOSE,
                            NON_TRANSPOSE,
                            ONE,
                            weights,
                            constInput,
                            ZERO,
                            output,
                            COMPUTE,
                            ALGORITHM,
                            bytes));
            return bytes[0];
        }

        void pointTo(Pointer x, Pointer y) {
            check("cusparseDnMatSetValues", JCusparse.cusparseDnMatSetValues(input, x));
            check("cusparseDnMatSetValues", JCusparse.cusparseDnMatSetValues(output, y));
        }

        @Override
        public void close() {
            check("cusparseDestroyDnMat", JCusparse.cusparseDestroyDnMat(constInput));
            check("cusparseDestroyDnMat", JCusparse.cusparseDestroyDnMat(output.asConst()));
        }
    }
}
