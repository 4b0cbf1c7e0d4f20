package dev.sparseinfer.cuda.lib;

/**
 * cuSPARSE's generic API through JCusparse ({@code libcusparse.so.12}, which CUDA 12 and 13 both ship). One
 * instance wraps one handle, bound to one stream, used by one thread at a time.
 */
public interface Cusparse extends AutoCloseable {

    String binding();

    void setStream(long stream);

    /**
     * Prepares {@code W} ({@code out x in}, CSR with int32 row offsets and column indices, values of
     * {@code valueType}, all already on the device) for products with up to {@code maxTokens} rows of fp32
     * compute. {@code inputType} is the element type of the activations it will be given.
     */
    CsrMatMul prepareCsr(
            int out,
            int in,
            int nonZeros,
            long rowOffsets,
            long columnIndices,
            long values,
            DataType valueType,
            DataType inputType,
            int maxTokens);

    @Override
    void close();
}
