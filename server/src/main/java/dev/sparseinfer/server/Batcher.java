package dev.sparseinfer.server;

import dev.sparseinfer.engine.tokenizer.TokenizedText;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One model's queue and the one thread that empties it: texts of concurrent requests are merged into forward passes
 * of at most {@link BatchPolicy#batchTokensFor} tokens. A pass starts once it is full, once no other request is on
 * its way (announced, still being tokenised), or once its first text has waited {@link BatchPolicy#maxWaitMicros}:
 * so a lone client never waits, and requests that arrive while a pass runs share the next one. A request longer than
 * one pass is split over several; each request's vectors come back in its own order.
 */
final class Batcher implements AutoCloseable {

    /** A request's texts, and how far the batcher has got with them. Only the batcher thread moves next and done. */
    private static final class Job {
        final List<TokenizedText> texts;
        final float[][] vectors;
        final CompletableFuture<float[][]> result = new CompletableFuture<>();
        final long enqueuedNanos = System.nanoTime();
        int next;
        int done;

        Job(List<TokenizedText> texts) {
            this.texts = texts;
            this.vectors = new float[texts.size()][];
        }
    }

    /** Texts {@code from .. to - 1} of one job, run in one pass. */
    private record Slice(Job job, int from, int to) {}

    private final String model;
    private final TextEncoder encoder;
    private final BatchPolicy policy;
    private final int maxBatchTokens;
    private final ServerMetrics metrics;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<Job> queue = new ArrayDeque<>();
    private final Thread thread;
    private volatile int queuedTexts;
    /** Requests announced and not yet queued or withdrawn: worth waiting for. Guarded by the lock. */
    private int arriving;

    private boolean closing;

    Batcher(String model, TextEncoder encoder, BatchPolicy policy, ServerMetrics metrics) {
        this.model = model;
        this.encoder = encoder;
        this.policy = policy;
        this.maxBatchTokens = policy.batchTokensFor(encoder.backendName());
        this.metrics = metrics;
        this.thread = Thread.ofPlatform()
                .name("sparseinfer-batcher-" + model)
                .daemon(true)
                .start(this::run);
    }

    /** Says a request is on its way (being tokenised); {@link #submit} or {@link #withdraw} must follow. */
    void announce() {
        lock.lock();
        try {
            arriving++;
        } finally {
            lock.unlock();
        }
    }

    /** An announced request will not come (it was refused before it was queued). */
    void withdraw() {
        lock.lock();
        try {
            arriving--;
            arrived.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues an announced request's texts; the future completes with one vector per text, in order, or fails with the pass's
     * error. Cancelling the future drops the texts not yet run.
     *
     * @throws QueueFullException if the texts do not fit in the queue now
     * @throws IllegalStateException if the batcher is closing
     */
    CompletableFuture<float[][]> submit(List<TokenizedText> texts) throws QueueFullException {
        Job job = new Job(texts);
        lock.lock();
        try {
            arriving--;
            arrived.signal();
            if (closing) {
                throw new IllegalStateException("the server is shutting down");
            }
            if (queuedTexts + texts.size() > policy.maxQueuedTexts()) {
                throw new QueueFullException("model '" + model + "' has " + queuedTexts + " texts queued, "
                        + texts.size() + " more would pass its limit of " + policy.maxQueuedTexts());
            }
            queue.addLast(job);
            queuedTexts += texts.size();
        } finally {
            lock.unlock();
        }
        return job.result;
    }

    /** Tokens in one forward pass at most. */
    int maxBatchTokens() {
        return maxBatchTokens;
    }

    /** Texts waiting for a forward pass. */
    int queuedTexts() {
        return queuedTexts;
    }

    private void run() {
        List<Slice> pass;
        while ((pass = nextPass()) != null) {
            runPass(pass);
        }
    }

    /** Waits for texts, then for the pass to fill or its first text's wait to run out; null once closed and empty. */
    private List<Slice> nextPass() {
        List<Slice> pass = new ArrayList<>();
        lock.lock();
        try {
            while (queue.isEmpty()) {
                if (closing) {
                    return null;
                }
                arrived.awaitUninterruptibly();
            }
            long deadline = queue.peekFirst().enqueuedNanos + TimeUnit.MICROSECONDS.toNanos(policy.maxWaitMicros());
            int tokens = 0;
            while (true) {
                tokens = take(pass, tokens);
                boolean full = !queue.isEmpty() && !pass.isEmpty();
                long left = deadline - System.nanoTime();
                if (full || !policy.merge() || closing || left <= 0 || arriving == 0) {
                    if (!pass.isEmpty()) {
                        return pass;
                    }
                    // Every queued job was cancelled: wait for the next one.
                    while (queue.isEmpty() && !closing) {
                        arrived.awaitUninterruptibly();
                    }
                    if (queue.isEmpty()) {
                        return null;
                    }
                    deadline = queue.peekFirst().enqueuedNanos + TimeUnit.MICROSECONDS.toNanos(policy.maxWaitMicros());
                    continue;
                }
                arrived.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return pass.isEmpty() ? null : pass;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves texts from the head of the queue into the pass while the token budget allows (the first text always);
     * without merging, only from the first job. Returns the pass's tokens; the queue's head is what did not fit.
     */
    private int take(List<Slice> pass, int tokens) {
        while (!queue.isEmpty()) {
            Job job = queue.peekFirst();
            if (job.result.isDone()) {
                queue.pollFirst();
                queuedTexts -= job.texts.size() - job.next;
                continue;
            }
            if (!policy.merge() && !pass.isEmpty() && pass.getLast().job() != job) {
                return tokens;
            }
            int from = job.next;
            while (job.next < job.texts.size()) {
                int length = job.texts.get(job.next).length();
                if (tokens + length > maxBatchTokens && (tokens > 0 || job.next > from)) {
                    break;
                }
                tokens += length;
                job.next++;
            }
            if (job.next > from) {
                pass.add(new Slice(job, from, job.next));
                queuedTexts -= job.next - from;
            }
            if (job.next < job.texts.size()) {
                return tokens;
            }
            queue.pollFirst();
        }
        return tokens;
    }

    private void runPass(List<Slice> pass) {
        List<TokenizedText> texts = new ArrayList<>();
        int tokens = 0;
        for (Slice s : pass) {
            for (TokenizedText t : s.job().texts.subList(s.from(), s.to())) {
                texts.add(t);
                tokens += t.length();
            }
        }
        List<float[]> vectors;
        try {
            vectors = encoder.embed(texts);
        } catch (RuntimeException | Error e) {
            for (Slice s : pass) {
                s.job().result.completeExceptionally(e);
            }
            return;
        }
        metrics.pass(model, texts.size(), tokens);
        int at = 0;
        for (Slice s : pass) {
            Job job = s.job();
            for (int i = s.from(); i < s.to(); i++) {
                job.vectors[i] = vectors.get(at++);
            }
            job.done += s.to() - s.from();
            if (job.done == job.texts.size()) {
                job.result.complete(job.vectors);
            }
        }
    }

    /** Runs what is queued, then stops the thread; later submits fail. */
    @Override
    public void close() {
        lock.lock();
        try {
            closing = true;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
