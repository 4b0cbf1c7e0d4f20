package dev.sparseinfer.engine.backend.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits index ranges over the calling thread and {@code threads - 1} persistent workers: the caller runs the first
 * chunk itself rather than waiting, so N threads never means N + 1 runnable threads on N cores, and with one
 * thread everything runs inline with no hand-off.
 *
 * <p>A BERT forward pass at a dozen tokens is some sixty ops of tens of microseconds each, so the hand-off itself
 * must cost well under a microsecond. A pool that parks idle threads (as {@code ForkJoinPool} does) pays an unpark
 * and a wake-up of several microseconds per op; here an idle worker spins on a generation counter for
 * {@link #SPIN_NANOS} before it parks, so between the ops of one pass a hand-off is one cache-line transfer each
 * way (the same trade ONNX Runtime's intra-op pool makes). Chunks are claimed, not assigned: a caller whose worker
 * has not been scheduled (a busy machine) runs that chunk too instead of waiting for it. Only one caller at a time
 * hands work out; a caller that finds the workers busy with another caller's op runs its own op inline. Neither
 * changes a result: every kernel's outputs do not depend on how the range is split or who runs which part.
 */
final class ParallelFor implements AutoCloseable {

    /** The work on one sub-range {@code [from, to)}. */
    @FunctionalInterface
    interface RangeBody {
        void run(int from, int to);
    }

    /**
     * How long an idle worker spins before parking: longer than the gap between two ops of a forward pass, short
     * enough that a model left idle gives its cores back almost at once.
     */
    static final long SPIN_NANOS = 100_000;

    private final int threads;
    private final Worker[] workers;
    private final AtomicBoolean handingOut = new AtomicBoolean();
    /** The next chunk of the current op to claim; values of {@code threads} and above mean none is left. */
    private final AtomicInteger nextChunk;

    private final AtomicInteger unfinished = new AtomicInteger();

    // The current op, written by the caller before it resets nextChunk, whose volatile write publishes them.
    private RangeBody body;
    private int length;
    private int chunk;
    private volatile Throwable failure;
    private volatile int generation;
    private volatile boolean closed;

    ParallelFor(int threads) {
        this.threads = threads;
        this.nextChunk = new AtomicInteger(threads);
        this.workers = new Worker[threads - 1];
        for (int w = 0; w < workers.length; w++) {
            workers[w] = new Worker(w + 1);
            workers[w].start();
        }
    }

    int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over {@code [0, n)} in {@code threads} chunks (some perhaps empty) whose bounds are multiples
     * of {@code align}.
     */
    void run(int n, int align, RangeBody body) {
        int chunks = Math.min(threads, Math.max(1, n / Math.max(1, align)));
        if (chunks <= 1 || !handingOut.compareAndSet(false, true)) {
            body.run(0, n);
            return;
        }
        try {
            this.body = body;
            this.length = n;
            this.chunk = ((n + chunks - 1) / chunks + align - 1) / align * align;
            this.failure = null;
            unfinished.set(threads);
            nextChunk.set(0);
            generation++;
            for (Worker w : workers) {
                if (w.parked) {
                    LockSupport.unpark(w);
                }
            }
            try {
                runClaimedChunks();
            } finally {
                awaitWorkers();
                this.body = null;
            }
            Throwable f = failure;
            if (f instanceof RuntimeException e) {
                throw e;
            }
            if (f instanceof Error e) {
                throw e;
            }
        } finally {
            handingOut.set(false);
        }
    }

    /**
     * Claims and runs chunks of the current op until none is left. A claim pins the op: its caller cannot publish
     * the next one before every claimed chunk is done, so the fields read after a claim are that op's.
     */
    private void runClaimedChunks() {
        int c;
        while ((c = nextChunk.getAndIncrement()) < threads) {
            try {
                int from = c * chunk;
                if (from < length) {
                    body.run(from, Math.min(length, from + chunk));
                }
            } catch (Throwable t) {
                failure = t;
            } finally {
                unfinished.decrementAndGet();
            }
        }
    }

    /** Spins while the chunks workers claimed are expected within microseconds, yielding if one was descheduled. */
    private void awaitWorkers() {
        long start = System.nanoTime();
        while (unfinished.get() != 0) {
            if (System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) {
            LockSupport.unpark(w);
        }
    }

    private final class Worker extends Thread {

        volatile boolean parked;

        Worker(int index) {
            super("sparseinfer-cpu-" + index);
            setDaemon(true);
        }

        @Override
        public void run() {
            int seen = 0;
            while (true) {
                seen = awaitNext(seen);
                if (closed) {
                    return;
                }
                runClaimedChunks();
            }
        }

        /** Waits for a generation after {@code seen}: spinning first, then parked until the caller unparks it. */
        private int awaitNext(int seen) {
            long start = System.nanoTime();
            int g;
            while ((g = generation) == seen && !closed) {
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    // Announce the park before the last look: the caller bumps the generation before it reads parked.
                    parked = true;
                    if (generation == seen && !closed) {
                        LockSupport.park(this);
                    }
                    parked = false;
                }
            }
            return g;
        }
    }
}
