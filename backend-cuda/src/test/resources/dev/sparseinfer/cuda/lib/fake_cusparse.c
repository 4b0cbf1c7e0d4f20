/*
 * A stand-in for libcusparse.so.12 with the real prototypes of cusparse.h's generic API, built with
 * fake_cusparse12.map (every symbol at version libcusparse.so.12, as JCusparse's natives require) for testing the
 * JCusparse binding on machines without a GPU. Descriptors are plain structs that remember what they were created
 * with; the SpMM entry points record their arguments, descriptors spelled out, as one line of text readable
 * through fake_last_call(function); every entry point returns the status set with fake_set_status(function,
 * status). A descriptor used after it was destroyed makes the call fail with CUSPARSE_STATUS_INVALID_VALUE.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int cusparseStatus_t;
typedef struct cusparseContext *cusparseHandle_t;
typedef struct CUstream_st *cudaStream_t;
typedef int cusparseIndexType_t;
typedef int cusparseIndexBase_t;
typedef int cudaDataType;
typedef int cusparseOrder_t;
typedef int cusparseOperation_t;
typedef int cusparseSpMMAlg_t;

#define LIVE 0x11feL
#define DEAD 0xdeadL
#define INVALID_VALUE 3
#define FAKE_HANDLE ((cusparseHandle_t) (uintptr_t) 0x5eed0000c5a5ULL)

struct sparse {
    long magic;
    int64_t rows, cols, nnz;
    void *offsets, *columns, *values;
    int offset_type, index_type, base, type;
};

struct dense {
    long magic;
    int64_t rows, cols, ld;
    void *values;
    int type, order;
};

typedef struct sparse *cusparseSpMatDescr_t;
typedef const struct sparse *cusparseConstSpMatDescr_t;
typedef struct dense *cusparseDnMatDescr_t;
typedef const struct dense *cusparseConstDnMatDescr_t;

enum {
    CREATE, DESTROY, SET_STREAM, CREATE_CSR, DESTROY_SP_MAT, CREATE_DN_MAT, DESTROY_DN_MAT, DN_MAT_SET_VALUES,
    SPMM_BUFFER_SIZE, SPMM_PREPROCESS, SPMM, FUNCTIONS
};
static const char *names[FUNCTIONS] = {
    "cusparseCreate", "cusparseDestroy", "cusparseSetStream", "cusparseCreateCsr", "cusparseDestroySpMat",
    "cusparseCreateDnMat", "cusparseDestroyDnMat", "cusparseDnMatSetValues", "cusparseSpMM_bufferSize",
    "cusparseSpMM_preprocess", "cusparseSpMM"};
static cusparseStatus_t statuses[FUNCTIONS];
static char calls[FUNCTIONS][2048];
static int live_descriptors;
static long long buffer_size;

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

int fake_live_descriptors(void) {
    return live_descriptors;
}

void fake_set_buffer_size(long long bytes) {
    buffer_size = bytes;
}

static unsigned long long address(const void *pointer) {
    return (unsigned long long) (uintptr_t) pointer;
}

cusparseStatus_t cusparseCreate(cusparseHandle_t *handle) {
    snprintf(calls[CREATE], sizeof calls[CREATE], "out=%llx", address(handle));
    if (statuses[CREATE] == 0) {
        *handle = FAKE_HANDLE;
    }
    return statuses[CREATE];
}

cusparseStatus_t cusparseDestroy(cusparseHandle_t handle) {
    snprintf(calls[DESTROY], sizeof calls[DESTROY], "handle=%llx", address(handle));
    return statuses[DESTROY];
}

cusparseStatus_t cusparseSetStream(cusparseHandle_t handle, cudaStream_t streamId) {
    snprintf(calls[SET_STREAM], sizeof calls[SET_STREAM], "handle=%llx stream=%llx", address(handle),
             address(streamId));
    return statuses[SET_STREAM];
}

cusparseStatus_t cusparseCreateCsr(cusparseSpMatDescr_t *spMatDescr, int64_t rows, int64_t cols, int64_t nnz,
                                   void *csrRowOffsets, void *csrColInd, void *csrValues,
                                   cusparseIndexType_t csrRowOffsetsType, cusparseIndexType_t csrColIndType,
                                   cusparseIndexBase_t idxBase, cudaDataType valueType) {
    if (statuses[CREATE_CSR] != 0) {
        return statuses[CREATE_CSR];
    }
    struct sparse *matrix = calloc(1, sizeof *matrix);
    *matrix = (struct sparse) {LIVE, rows, cols, nnz, csrRowOffsets, csrColInd, csrValues, csrRowOffsetsType,
                               csrColIndType, idxBase, valueType};
    live_descriptors++;
    *spMatDescr = matrix;
    return 0;
}

/* Destroyed descriptors are marked, never freed, so that a later use is caught rather than undefined. */
cusparseStatus_t cusparseDestroySpMat(cusparseConstSpMatDescr_t spMatDescr) {
    struct sparse *matrix = (struct sparse *) spMatDescr;
    if (matrix == NULL || matrix->magic != LIVE) {
        return INVALID_VALUE;
    }
    matrix->magic = DEAD;
    live_descriptors--;
    return statuses[DESTROY_SP_MAT];
}

cusparseStatus_t cusparseCreateDnMat(cusparseDnMatDescr_t *dnMatDescr, int64_t rows, int64_t cols, int64_t ld,
                                     void *values, cudaDataType valueType, cusparseOrder_t order) {
    if (statuses[CREATE_DN_MAT] != 0) {
        return statuses[CREATE_DN_MAT];
    }
    struct dense *matrix = calloc(1, sizeof *matrix);
    *matrix = (struct dense) {LIVE, rows, cols, ld, values, valueType, order};
    live_descriptors++;
    *dnMatDescr = matrix;
    return 0;
}

cusparseStatus_t cusparseDestroyDnMat(cusparseConstDnMatDescr_t dnMatDescr) {
    struct dense *matrix = (struct dense *) dnMatDescr;
    if (matrix == NULL || matrix->magic != LIVE) {
        return INVALID_VALUE;
    }
    matrix->magic = DEAD;
    live_descriptors--;
    return statuses[DESTROY_DN_MAT];
}

cusparseStatus_t cusparseDnMatSetValues(cusparseDnMatDescr_t dnMatDescr, void *values) {
    if (dnMatDescr == NULL || dnMatDescr->magic != LIVE) {
        return INVALID_VALUE;
    }
    if (statuses[DN_MAT_SET_VALUES] == 0) {
        dnMatDescr->values = values;
    }
    return statuses[DN_MAT_SET_VALUES];
}

/* One SpMM-family call as name=value pairs, with each descriptor's contents under A., B. and C. */
static int describe(char *out, size_t size, cusparseHandle_t handle, cusparseOperation_t opA,
                    cusparseOperation_t opB, const void *alpha, cusparseConstSpMatDescr_t A,
                    cusparseConstDnMatDescr_t B, const void *beta, cusparseDnMatDescr_t C,
                    cudaDataType computeType, cusparseSpMMAlg_t alg) {
    if (A == NULL || A->magic != LIVE || B == NULL || B->magic != LIVE || C == NULL || C->magic != LIVE) {
        snprintf(out, size, "invalid=descriptor");
        return INVALID_VALUE;
    }
    snprintf(out, size,
             "handle=%llx opA=%d opB=%d alpha=%a beta=%a "
             "A.rows=%lld A.cols=%lld A.nnz=%lld A.offsets=%llx A.columns=%llx A.values=%llx "
             "A.offsetType=%d A.indexType=%d A.base=%d A.type=%d "
             "B.rows=%lld B.cols=%lld B.ld=%lld B.values=%llx B.type=%d B.order=%d "
             "C.rows=%lld C.cols=%lld C.ld=%lld C.values=%llx C.type=%d C.order=%d "
             "computeType=%d alg=%d",
             address(handle), opA, opB, (double) *(const float *) alpha, (double) *(const float *) beta,
             (long long) A->rows, (long long) A->cols, (long long) A->nnz, address(A->offsets),
             address(A->columns), address(A->values), A->offset_type, A->index_type, A->base, A->type,
             (long long) B->rows, (long long) B->cols, (long long) B->ld, address(B->values), B->type, B->order,
             (long long) C->rows, (long long) C->cols, (long long) C->ld, address(C->values), C->type, C->order,
             computeType, alg);
    return 0;
}

static void append_buffer(char *out, size_t size, const void *buffer) {
    size_t used = strlen(out);
    snprintf(out + used, size - used, " buffer=%llx", address(buffer));
}

cusparseStatus_t cusparseSpMM_bufferSize(cusparseHandle_t handle, cusparseOperation_t opA, cusparseOperation_t opB,
                                         const void *alpha, cusparseConstSpMatDescr_t matA,
                                         cusparseConstDnMatDescr_t matB, const void *beta,
                                         cusparseDnMatDescr_t matC, cudaDataType computeType,
                                         cusparseSpMMAlg_t alg, size_t *bufferSize) {
    int invalid = describe(calls[SPMM_BUFFER_SIZE], sizeof calls[SPMM_BUFFER_SIZE], handle, opA, opB, alpha, matA,
                           matB, beta, matC, computeType, alg);
    if (invalid || statuses[SPMM_BUFFER_SIZE] != 0) {
        return invalid ? invalid : statuses[SPMM_BUFFER_SIZE];
    }
    *bufferSize = (size_t) buffer_size;
    return 0;
}

cusparseStatus_t cusparseSpMM_preprocess(cusparseHandle_t handle, cusparseOperation_t opA, cusparseOperation_t opB,
                                         const void *alpha, cusparseConstSpMatDescr_t matA,
                                         cusparseConstDnMatDescr_t matB, const void *beta,
                                         cusparseDnMatDescr_t matC, cudaDataType computeType,
                                         cusparseSpMMAlg_t alg, void *externalBuffer) {
    int invalid = describe(calls[SPMM_PREPROCESS], sizeof calls[SPMM_PREPROCESS], handle, opA, opB, alpha, matA,
                           matB, beta, matC, computeType, alg);
    append_buffer(calls[SPMM_PREPROCESS], sizeof calls[SPMM_PREPROCESS], externalBuffer);
    return invalid ? invalid : statuses[SPMM_PREPROCESS];
}

cusparseStatus_t cusparseSpMM(cusparseHandle_t handle, cusparseOperation_t opA, cusparseOperation_t opB,
                              const void *alpha, cusparseConstSpMatDescr_t matA, cusparseConstDnMatDescr_t matB,
                              const void *beta, cusparseDnMatDescr_t matC, cudaDataType computeType,
                              cusparseSpMMAlg_t alg, void *externalBuffer) {
    int invalid = describe(calls[SPMM], sizeof calls[SPMM], handle, opA, opB, alpha, matA, matB, beta, matC,
                           computeType, alg);
    append_buffer(calls[SPMM], sizeof calls[SPMM], externalBuffer);
    return invalid ? invalid : statuses[SPMM];
}
