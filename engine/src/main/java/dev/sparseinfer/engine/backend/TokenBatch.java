package dev.sparseinfer.engine.backend;

import dev.sparseinfer.engine.api.SparseInferException;

/**
 * Several token sequences packed one after another, with no padding: sequence {@code s} holds tokens
 * {@code start(s) .. start(s) + length(s) - 1}. Every row-wise op runs over all tokens at once; only attention
 * and pooling look at the sequence boundaries, so no padded position is ever computed.
 */
public record TokenBatch(int[] tokenIds, int[] typeIds, int[] positions, int[] starts, int[] lengths) {

    public TokenBatch {
        int tokens = tokenIds.length;
        if (typeIds.length != tokens || positions.length != tokens || starts.length != lengths.length) {
            throw SparseInferException.invalidArgument("token batch arrays disagree in length");
        }
        int next = 0;
        for (int s = 0; s < starts.length; s++) {
            if (starts[s] != next || lengths[s] <= 0) {
                throw SparseInferException.invalidArgument(
                        "sequence " + s + " is not packed right after the previous one");
            }
            next += lengths[s];
        }
        if (next != tokens) {
            throw SparseInferException.invalidArgument("sequences cover " + next + " tokens, batch has " + tokens);
        }
    }

    /** Packs sequences given as token and type ids; positions count from 0 in each sequence. */
    public static TokenBatch pack(int[][] tokenIds, int[][] typeIds) {
        int total = 0;
        for (int[] ids : tokenIds) {
            total += ids.length;
        }
        int[] ids = new int[total];
        int[] types = new int[total];
        int[] positions = new int[total];
        int[] starts = new int[tokenIds.length];
        int[] lengths = new int[tokenIds.length];
        int at = 0;
        for (int s = 0; s < tokenIds.length; s++) {
            int n = tokenIds[s].length;
            starts[s] = at;
            lengths[s] = n;
            System.arraycopy(tokenIds[s], 0, ids, at, n);
            System.arraycopy(typeIds[s], 0, types, at, n);
            for (int i = 0; i < n; i++) {
                positions[at + i] = i;
            }
            at += n;
        }
        return new TokenBatch(ids, types, positions, starts, lengths);
    }

    /** The same sequences with other position ids, one per token. */
    public TokenBatch withPositions(int[] newPositions) {
        return new TokenBatch(tokenIds, typeIds, newPositions, starts, lengths);
    }

    public int tokens() {
        return tokenIds.length;
    }

    public int sequences() {
        return starts.length;
    }
}
