package dev.sparseinfer.engine.backend.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * Splits index ranges over the calling thread and a fixed pool of {@code threads - 1} workers: the caller runs the
 * first chunk itself rather than waiting, so N threads never means N + 1 runnable threads on N cores, and with one
 * thread everything runs inline with no hand-off.
 */
final class ParallelFor implements AutoCloseable {

    /** The work on one sub-range {@code [from, to)}. */
    @FunctionalInterface
    interface RangeBody {
        void run(int from, int to);
    }

    private final int threads;
    private final ForkJoinPool pool;

    ParallelFor(int threads) {
        this.threads = threads;
        this.pool = threads > 1 ? new ForkJoinPool(threads - 1) : null;
    }

    int threads() {
        return threads;
    }

    /** Runs {@code body} over {@code [0, n)} in at most {@code threads} chunks whose bounds are multiples of {@code align}. */
    void run(int n, int align, RangeBody body) {
        int chunks = Math.min(threads, Math.max(1, n / Math.max(1, align)));
        if (pool == null || chunks <= 1) {
            body.run(0, n);
            return;
        }
        int per = ((n + chunks - 1) / chunks + align - 1) / align * align;
        List<ForkJoinTask<?>> tasks = new ArrayList<>(chunks - 1);
        for (int from = per; from < n; from += per) {
            int start = from;
            int end = Math.min(n, from + per);
            tasks.add(pool.submit(() -> body.run(start, end)));
        }
        body.run(0, Math.min(n, per));
        for (ForkJoinTask<?> task : tasks) {
            task.join();
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }
}
