package dev.sparseinfer.cuda;

import dev.sparseinfer.engine.api.SparseInferException;
import jcuda.driver.CUresult;

/** Every driver call's result goes through here: anything but success becomes an exception naming the call. */
final class CudaResult {

    private CudaResult() {}

    static void check(int result, String call) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw failure(result, call);
        }
    }

    static SparseInferException failure(int result, String call) {
        return new SparseInferException(
                SparseInferException.Code.BACKEND_UNAVAILABLE,
                "cuda: " + call + " failed: " + CUresult.stringFor(result));
    }
}
