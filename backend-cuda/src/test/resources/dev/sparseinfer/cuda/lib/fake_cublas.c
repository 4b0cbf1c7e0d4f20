/*
 * A stand-in for cuBLAS with the real prototypes of cublas_api.h, for testing both bindings on machines without a
 * GPU: built as libcublas.so.13 for the FFM binding, and as libcublas.so.12 with fake_cublas12.map (every symbol
 * at version libcublas.so.12, as JCublas2's natives require) for JCublas2. Each entry point records the arguments
 * it received as one line of text, readable through fake_last_call(function), and returns the status set with
 * fake_set_status(function, status). Built without -DWITH_STATUS_TEXT it lacks cublasGetStatusName and
 * cublasGetStatusString, as older libraries do.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef int cublasStatus_t;
typedef struct cublasContext *cublasHandle_t;
typedef struct CUstream_st *cudaStream_t;
typedef int cublasOperation_t;
typedef int cudaDataType;
typedef int cublasComputeType_t;
typedef int cublasGemmAlgo_t;

#define CUBLAS_COMPUTE_32F 68
#define CUBLAS_COMPUTE_32I 72
#define FAKE_HANDLE ((cublasHandle_t) (uintptr_t) 0x5eed0000c0deULL)

enum { CREATE, DESTROY, SET_STREAM, GEMM_EX, FUNCTIONS };
static const char *names[FUNCTIONS] = {"cublasCreate_v2", "cublasDestroy_v2", "cublasSetStream_v2", "cublasGemmEx"};
static cublasStatus_t statuses[FUNCTIONS];
static char calls[FUNCTIONS][1024];

static int function_index(const char *name) {
    for (int i = 0; i < FUNCTIONS; i++) {
        if (strcmp(names[i], name) == 0) {
            return i;
        }
    }
    return -1;
}

void fake_set_status(const char *function, int status) {
    int i = function_index(function);
    if (i >= 0) {
        statuses[i] = status;
    }
}

const char *fake_last_call(const char *function) {
    int i = function_index(function);
    return i >= 0 ? calls[i] : "";
}

static unsigned long long address(const void *pointer) {
    return (unsigned long long) (uintptr_t) pointer;
}

/* A scale as cuBLAS reads it: the compute type decides how many bytes of which type alpha and beta point to. */
static void scale_text(char *out, size_t size, const void *scale, cublasComputeType_t compute) {
    if (compute == CUBLAS_COMPUTE_32F) {
        snprintf(out, size, "%a", (double) *(const float *) scale);
    } else if (compute == CUBLAS_COMPUTE_32I) {
        snprintf(out, size, "%d", *(const int32_t *) scale);
    } else {
        snprintf(out, size, "?");
    }
}

cublasStatus_t cublasCreate_v2(cublasHandle_t *handle) {
    snprintf(calls[CREATE], sizeof calls[CREATE], "out=%llx", address(handle));
    if (statuses[CREATE] == 0) {
        *handle = FAKE_HANDLE;
    }
    return statuses[CREATE];
}

/* Asked by cublas_api.h's C++ cublasGemmEx overload (the one JCublas2 calls) before it migrates the compute type. */
cublasStatus_t cublasGetMathMode(cublasHandle_t handle, int *mode) {
    (void) handle;
    *mode = 0; /* CUBLAS_DEFAULT_MATH */
    return 0;
}

cublasStatus_t cublasDestroy_v2(cublasHandle_t handle) {
    snprintf(calls[DESTROY], sizeof calls[DESTROY], "handle=%llx", address(handle));
    return statuses[DESTROY];
}

cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t stream) {
    snprintf(calls[SET_STREAM], sizeof calls[SET_STREAM], "handle=%llx stream=%llx", address(handle), address(stream));
    return statuses[SET_STREAM];
}

cublasStatus_t cublasGemmEx(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb,
                            int m, int n, int k, const void *alpha,
                            const void *A, cudaDataType Atype, int lda,
                            const void *B, cudaDataType Btype, int ldb,
                            const void *beta, void *C, cudaDataType Ctype, int ldc,
                            cublasComputeType_t computeType, cublasGemmAlgo_t algo) {
    char alpha_text[64];
    char beta_text[64];
    scale_text(alpha_text, sizeof alpha_text, alpha, computeType);
    scale_text(beta_text, sizeof beta_text, beta, computeType);
    snprintf(calls[GEMM_EX], sizeof calls[GEMM_EX],
             "handle=%llx transa=%d transb=%d m=%d n=%d k=%d alpha=%s A=%llx Atype=%d lda=%d B=%llx Btype=%d ldb=%d "
             "beta=%s C=%llx Ctype=%d ldc=%d computeType=%d algo=%d",
             address(handle), transa, transb, m, n, k, alpha_text, address(A), Atype, lda, address(B), Btype, ldb,
             beta_text, address(C), Ctype, ldc, computeType, algo);
    return statuses[GEMM_EX];
}

#ifdef WITH_STATUS_TEXT
const char *cublasGetStatusName(cublasStatus_t status) {
    switch (status) {
        case 7: return "CUBLAS_STATUS_INVALID_VALUE";
        case 16: return "CUBLAS_STATUS_LICENSE_ERROR";
        default: return "CUBLAS_STATUS_FAKE";
    }
}

const char *cublasGetStatusString(cublasStatus_t status) {
    return status == 7 ? "an invalid value was used as an argument" : "fake status";
}
#endif
