package dev.sparseinfer.cuda.lib;

import dev.sparseinfer.cuda.NativeAddress;
import java.nio.file.Path;
import jcuda.jcusparse.JCusparse;
import jcuda.jcusparse.cusparseHandle;
import jcuda.jcusparse.cusparseStatus;

/**
 * cuSPARSE's generic API through JCusparse, whose natives link {@code libcusparse.so.12} (shipped by CUDA 12 and,
 * still as major version 12, by CUDA 13). Touching {@link JCusparse} loads those natives, so only {@link #open}
 * does. JCusparse's own exceptions stay off: every status is checked here, to name the function that failed.
 */
final class JCusparseBinding implements Cusparse {

    private final String binding;
    private final cusparseHandle handle;
    private final WorkspaceMemory memory;
    private boolean closed;

    private JCusparseBinding(Path library, cusparseHandle handle, WorkspaceMemory memory) {
        this.binding = "JCusparse " + library;
        this.handle = handle;
        this.memory = memory;
    }

    /**
     * Creates a handle; throws {@link UnsatisfiedLinkError} (or {@link NoClassDefFoundError} after a first failure)
     * where JCusparse's natives cannot link.
     */
    static JCusparseBinding open(Path library) {
        return open(library, new DriverWorkspaceMemory());
    }

    /** The same, with the plans' device memory from {@code memory}. */
    static JCusparseBinding open(Path library, WorkspaceMemory memory) {
        cusparseHandle handle = new cusparseHandle();
        check("cusparseCreate", JCusparse.cusparseCreate(handle));
        return new JCusparseBinding(library, handle, memory);
    }

    @Override
    public String binding() {
        return binding;
    }

    @Override
    public void setStream(long stream) {
        check("cusparseSetStream", JCusparse.cusparseSetStream(handle, NativeAddress.stream(stream)));
    }

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
        CsrShape shape = new CsrShape(out, in, nonZeros, valueType, inputType, maxTokens);
        return JCusparseCsrMatMul.prepare(handle, memory, shape, rowOffsets, columnIndices, values);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            check("cusparseDestroy", JCusparse.cusparseDestroy(handle));
        }
    }

    static void check(String function, int status) {
        StatusCheck.check(function, status, cusparseStatus::stringFor);
    }
}
