package dev.sparseinfer.springai.autoconfigure;

import dev.sparseinfer.engine.api.SparseInferException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a start-up that failed on a SparseInfer error with its one-line message, which names the property, file
 * or option at fault, instead of the bean-creation stack trace around it.
 */
class SparseInferFailureAnalyzer extends AbstractFailureAnalyzer<SparseInferException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, SparseInferException cause) {
        return new FailureAnalysis(
                cause.getMessage() + " (" + cause.code() + ")",
                "Check the " + SparseInferProperties.PREFIX + ".* properties and the model they name.",
                cause);
    }
}
