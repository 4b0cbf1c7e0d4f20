package dev.sparseinfer.cuda;

import dev.sparseinfer.engine.backend.TokenBatch;

/**
 * A token batch's index arrays on the device, uploaded in one copy at the start of a pass: per token its id, type,
 * position, and its sequence's first token and length (what attention reads); per sequence its start and length
 * (what pooling reads). Offsets are in ints from {@code address}.
 */
record DeviceBatch(long address, int tokens, int sequences, int longestSequence) {

    /** The host image of the arrays, in the order the addresses below expect. */
    static int[] layout(TokenBatch batch) {
        int n = batch.tokens();
        int s = batch.sequences();
        int[] all = new int[5 * n + 2 * s];
        System.arraycopy(batch.tokenIds(), 0, all, 0, n);
        System.arraycopy(batch.typeIds(), 0, all, n, n);
        System.arraycopy(batch.positions(), 0, all, 2 * n, n);
        for (int q = 0; q < s; q++) {
            for (int t = batch.starts()[q]; t < batch.starts()[q] + batch.lengths()[q]; t++) {
                all[3 * n + t] = batch.starts()[q];
                all[4 * n + t] = batch.lengths()[q];
            }
        }
        System.arraycopy(batch.starts(), 0, all, 5 * n, s);
        System.arraycopy(batch.lengths(), 0, all, 5 * n + s, s);
        return all;
    }

    static int longest(TokenBatch batch) {
        int longest = 0;
        for (int length : batch.lengths()) {
            longest = Math.max(longest, length);
        }
        return longest;
    }

    long tokenIds() {
        return at(0);
    }

    long typeIds() {
        return at(tokens);
    }

    long positions() {
        return at(2L * tokens);
    }

    long tokenSequenceStarts() {
        return at(3L * tokens);
    }

    long tokenSequenceLengths() {
        return at(4L * tokens);
    }

    long sequenceStarts() {
        return at(5L * tokens);
    }

    long sequenceLengths() {
        return at(5L * tokens + sequences);
    }

    private long at(long ints) {
        return address + 4 * ints;
    }
}
