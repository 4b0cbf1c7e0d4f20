package dev.sparseinfer.models.prune;

import dev.sparseinfer.engine.api.SparseInferException;

/**
 * One pruning request.
 *
 * @param pattern  what to remove
 * @param sparsity the fraction to remove: of each linear layer's weights (unstructured), of each layer's heads or
 *                 FFN channels, or of the encoder layers; always 0.5 for 2:4
 * @param method   how weight-level patterns score weights (structured patterns use their own importance)
 */
public record PruneSpec(PrunePattern pattern, double sparsity, PruneMethod method) {

    public PruneSpec {
        if (pattern == PrunePattern.TWO_FOUR && sparsity != 0.5) {
            throw SparseInferException.invalidArgument(
                    "--sparsity must be 0.5 (or left out) with --pattern 2:4, got " + sparsity);
        }
        if (!(sparsity > 0 && sparsity < 1)) {
            throw SparseInferException.invalidArgument("--sparsity must be in (0, 1), got " + sparsity);
        }
    }

    /** The spec with the default sparsity of its pattern when none is given: 0.5. */
    public static PruneSpec of(PrunePattern pattern, Double sparsity, PruneMethod method) {
        return new PruneSpec(pattern, sparsity == null ? 0.5 : sparsity, method);
    }
}
