package dev.sparseinfer.cuda.lib;

/**
 * One CSR weight matrix prepared for cuSPARSE's generic SpMM: descriptors created, the work buffer sized for the
 * largest token count and preprocessed once, at prepare time. The CSR arrays stay owned by the caller.
 */
public interface CsrMatMul extends AutoCloseable {

    /**
     * {@code y = x W^T} for {@code tokens} rows: {@code x} is {@code [tokens, in]} row-major in the plan's input
     * type, {@code y} is {@code [tokens, out]} row-major fp32. {@code tokens} may not exceed the plan's maximum.
     */
    void multiply(long x, int tokens, long y);

    int maxTokens();

    @Override
    void close();
}
