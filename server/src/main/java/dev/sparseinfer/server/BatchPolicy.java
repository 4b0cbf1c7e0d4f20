package dev.sparseinfer.server;

/**
 * How a model's batcher merges requests into forward passes.
 *
 * @param maxBatchTokens  tokens in one forward pass at most (a single longer text still runs, alone)
 * @param maxWaitMicros   how long the first queued text may wait for others to fill the pass
 * @param merge           whether texts of different requests share a pass; without it each request runs alone,
 *                        which is what dynamic batching is measured against
 * @param maxQueuedTexts  texts waiting for a pass at most; a request that does not fit is refused with 429
 */
public record BatchPolicy(int maxBatchTokens, long maxWaitMicros, boolean merge, int maxQueuedTexts) {

    /** 32 texts of MiniLM's 256 tokens fit; a pass of 8192 tokens on 2 CPU cores takes well under a second. */
    public static final int DEFAULT_MAX_BATCH_TOKENS = 8192;

    public static final long DEFAULT_MAX_WAIT_MICROS = 2000;
    public static final int DEFAULT_MAX_QUEUED_TEXTS = 8192;

    public BatchPolicy {
        if (maxBatchTokens < 1) {
            throw new IllegalArgumentException("max batch tokens must be at least 1, got " + maxBatchTokens);
        }
        if (maxWaitMicros < 0) {
            throw new IllegalArgumentException("max wait must not be negative, got " + maxWaitMicros + " µs");
        }
        if (maxQueuedTexts < 1) {
            throw new IllegalArgumentException("max queued texts must be at least 1, got " + maxQueuedTexts);
        }
    }

    public static BatchPolicy defaults() {
        return new BatchPolicy(DEFAULT_MAX_BATCH_TOKENS, DEFAULT_MAX_WAIT_MICROS, true, DEFAULT_MAX_QUEUED_TEXTS);
    }
}
