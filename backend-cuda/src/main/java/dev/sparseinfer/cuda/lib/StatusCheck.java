package dev.sparseinfer.cuda.lib;

import dev.sparseinfer.engine.api.SparseInferException;
import java.util.function.IntFunction;

/** The one-line error for a CUDA library or driver call that did not return success (0 in every CUDA API). */
final class StatusCheck {

    private StatusCheck() {}

    static void check(String function, int status, IntFunction<String> names) {
        if (status != 0) {
            throw new SparseInferException(
                    SparseInferException.Code.BACKEND_UNAVAILABLE,
                    "cuda: " + function + " failed: " + names.apply(status));
        }
    }
}
