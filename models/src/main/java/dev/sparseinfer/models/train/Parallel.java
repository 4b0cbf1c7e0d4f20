package dev.sparseinfer.models.train;

import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Runs index ranges on a fixed number of threads. Every op that uses it gives each output element to exactly one
 * chunk and sums in a fixed order inside it, so results do not depend on the thread count or on scheduling.
 */
final class Parallel implements AutoCloseable {

    /** The work on one sub-range {@code [from, to)}. */
    @FunctionalInterface
    interface RangeBody {
        void run(int from, int to);
    }

    private final int threads;
    private final ForkJoinPool pool;

    Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads);
    }

    int threads() {
        return threads;
    }

    /** Runs {@code body} over {@code [0, length)} split into about {@code 4 * threads} chunks. */
    void range(int length, RangeBody body) {
        if (pool == null || length < 2) {
            body.run(0, length);
            return;
        }
        int chunks = Math.min(length, 4 * threads);
        int size = (length + chunks - 1) / chunks;
        int count = (length + size - 1) / size;
        pool.submit(() -> IntStream.range(0, count)
                        .parallel()
                        .forEach(c -> body.run(c * size, Math.min(length, (c + 1) * size))))
                .join();
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }
}
