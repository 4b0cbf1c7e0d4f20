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

    public static final int AUTO = 0;

    /**
     * On the CPU, MiniLM gave the most texts per second in passes of 8 to 32 texts (150 to 550 tokens) and 10 to 30 %
     * fewer at 64 to 128, as the activations outgrow the caches (bench/run serve-load prints the batch-size line).
     */
    public static final int CPU_BATCH_TOKENS = 512;

    /** A GPU needs large passes to fill its cores, and has the memory for them. */
    public static final int DEVICE_BATCH_TOKENS = 8192;

    public static final long DEFAULT_MAX_WAIT_MICROS = 2000;
    public static final int DEFAULT_MAX_QUEUED_TEXTS = 8192;

    public BatchPolicy {
        if (maxBatchTokens < 0) {
            throw new IllegalArgumentException(
                    "max batch tokens must be positive (or 0 for auto), got " + maxBatchTokens);
        }
        if (maxWaitMicros < 0) {
            throw new IllegalArgumentException("max wait must not be negative, got " + maxWaitMicros + " µs");
        }
        if (maxQueuedTexts < 1) {
            throw new IllegalArgumentException("max queued texts must be at least 1, got " + maxQueuedTexts);
        }
    }

    public static BatchPolicy defaults() {
        return new BatchPolicy(AUTO, DEFAULT_MAX_WAIT_MICROS, true, DEFAULT_MAX_QUEUED_TEXTS);
    }

    /** The token bound for a model on the named backend: this policy's, or under {@link #AUTO} the backend's. */
    public int batchTokensFor(String backendName) {
        if (maxBatchTokens != AUTO) {
            return maxBatchTokens;
        }
        return backendName.equals("cpu") ? CPU_BATCH_TOKENS : DEVICE_BATCH_TOKENS;
    }
}
