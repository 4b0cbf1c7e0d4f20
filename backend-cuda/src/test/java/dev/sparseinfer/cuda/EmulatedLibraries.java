package dev.sparseinfer.cuda;

import dev.sparseinfer.cuda.lib.CsrMatMul;
import dev.sparseinfer.cuda.lib.Cublas;
import dev.sparseinfer.cuda.lib.Cusparse;
import dev.sparseinfer.cuda.lib.DataType;

/**
 * cuBLAS's {@code gemmEx} and cuSPARSE's CSR SpMM as documented, computed on {@link EmulatedDevice} memory and
 * enqueued on its stream (so they are recorded into graphs like kernels). They also count open handles, so a test
 * can check the backend closes what it opens.
 */
final class EmulatedLibraries implements CudaLibraries {

    private final EmulatedDevice device;
    int openHandles;

    EmulatedLibraries(EmulatedDevice device) {
        this.device = device;
    }

    private float element(long base, long index, DataType type) {
        return switch (type) {
            case F32 -> device.getFloat(base + 4 * index);
            case F16 -> device.getHalf(base + 2 * index);
            default -> throw new UnsupportedOperationException("emulated element type " + type);
        };
    }

    @Override
    public Cublas openCublas() {
        openHandles++;
        return new Cublas() {
            @Override
            public String binding() {
                return "emulated cuBLAS";
            }

            @Override
            public void setStream(long stream) {
                if (stream != device.stream()) {
                    throw new IllegalArgumentException("not the device's stream");
                }
            }

            /** Column-major: {@code op(A)} is m x k, {@code op(B)} is k x n, C is m x n with leading dimension ldc. */
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
                if (cType != DataType.F32 || compute != ComputeType.F32) {
                    throw new UnsupportedOperationException("emulated gemmEx computes fp32 into fp32");
                }
                device.enqueue(() -> {
                    for (int j = 0; j < n; j++) {
                        for (int i = 0; i < m; i++) {
                            float sum = 0;
                            for (int l = 0; l < k; l++) {
                                long ai = transA == Transpose.N ? i + (long) l * lda : l + (long) i * lda;
                                long bi = transB == Transpose.N ? l + (long) j * ldb : j + (long) l * ldb;
                                sum += element(a, ai, aType) * element(b, bi, bType);
                            }
                            long ci = i + (long) j * ldc;
                            float old = beta == 0 ? 0 : device.getFloat(c + 4 * ci);
                            device.putFloat(c + 4 * ci, alpha * sum + beta * old);
                        }
                    }
                });
            }

            @Override
            public void close() {
                openHandles--;
            }
        };
    }

    @Override
    public Cusparse openCusparse() {
        openHandles++;
        return new Cusparse() {
            @Override
            public String binding() {
                return "emulated cuSPARSE";
            }

            @Override
            public void setStream(long stream) {
                if (stream != device.stream()) {
                    throw new IllegalArgumentException("not the device's stream");
                }
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
                openHandles++;
                return new CsrMatMul() {
                    private boolean closed;

                    @Override
                    public void multiply(long x, int tokens, long y) {
                        if (tokens > maxTokens) {
                            throw new IllegalArgumentException(tokens + " tokens, plan for " + maxTokens);
                        }
                        device.enqueue(() -> {
                            // Also when a recorded graph replays it: a closed plan's buffers are gone.
                            if (closed) {
                                throw new IllegalStateException("SpMM on a closed plan");
                            }
                            for (int t = 0; t < tokens; t++) {
                                for (int o = 0; o < out; o++) {
                                    float sum = 0;
                                    int end = device.getInt(rowOffsets + 4L * (o + 1));
                                    for (int e = device.getInt(rowOffsets + 4L * o); e < end; e++) {
                                        int column = device.getInt(columnIndices + 4L * e);
                                        sum += element(values, e, valueType)
                                                * element(x, (long) t * in + column, inputType);
                                    }
                                    device.putFloat(y + 4L * ((long) t * out + o), sum);
                                }
                            }
                        });
                    }

                    @Override
                    public int maxTokens() {
                        return maxTokens;
                    }

                    @Override
                    public void close() {
                        closed = true;
                        openHandles--;
                    }
                };
            }

            @Override
            public void close() {
                openHandles--;
            }
        };
    }
}
