package dev.sparseinfer.models.evaluate;

import dev.sparseinfer.engine.runtime.EmbeddingRunner;
import dev.sparseinfer.engine.tokenizer.TokenizedText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Wall-clock latency of a model on pre-tokenised texts (tokenisation is excluded): warm-up passes over all the
 * texts first, at least the number asked for and at least {@link #MIN_WARMUP_SECONDS} in all, so the JIT has compiled
 * the kernels (until it has, Vector API code runs one to two orders of magnitude slower), then timed passes in
 * which every batch is timed on its own.
 * Per-text figures divide a batch's time by its size, so batch 1 gives plain per-text latency.
 */
public final class LatencyBenchmark {

    /** Warm-up continues past the passes asked for until this much time has gone by. */
    public static final int MIN_WARMUP_SECONDS = 3;

    private LatencyBenchmark() {}

    /** Anything that embeds a batch of tokenised texts: our engine, or another runtime it is compared with. */
    @FunctionalInterface
    public interface BatchEmbedder {
        List<float[]> embed(List<TokenizedText> batch) throws Exception;

        static BatchEmbedder of(EmbeddingRunner model) {
            return batch ->
                    model.embedBatch(batch).stream().map(e -> e.vector()).toList();
        }
    }

    /**
     * @param samples    per-text milliseconds of every timed batch, sorted
     * @param embeddings the vectors of the last timed pass, in text order
     * @param textsPerSecond texts over the timed passes' total time
     */
    public record Result(double[] samples, List<float[]> embeddings, double textsPerSecond) {

        public double medianMs() {
            return percentile(0.5);
        }

        public double p90Ms() {
            return percentile(0.9);
        }

        /** Nearest-rank percentile of the samples. */
        public double percentile(double p) {
            int rank = (int) Math.ceil(p * samples.length);
            return samples[Math.max(0, Math.min(samples.length - 1, rank - 1))];
        }

        public int runs() {
            return samples.length;
        }
    }

    /**
     * Runs at least {@code warmup} untimed passes (more if they take under {@link #MIN_WARMUP_SECONDS}), then
     * {@code passes} timed passes over {@code texts} in batches of {@code batch}.
     */
    public static Result measure(
            BatchEmbedder model, List<TokenizedText> texts, int batch, int warmup, int passes, IntConsumer onPass)
            throws Exception {
        checkArguments(texts, batch, warmup, passes);
        warmUp(model, texts, batch, warmup, onPass);
        Timing timing = new Timing(texts.size(), batch, passes);
        for (int p = 0; p < passes; p++) {
            timing.pass(model, texts);
            onPass.accept(warmup + p + 1);
        }
        return timing.result();
    }

    /**
     * {@link #measure} for several models side by side: each is warmed up in turn as {@code measure} does, then the
     * timed passes go round-robin (pass 1 of every model, then pass 2, ...). On a shared host a slow spell (a busy
     * neighbour) then falls on every model alike instead of on whichever happened to run then, so the ratios
     * between the models hold up better than their absolute times.
     */
    public static List<Result> measureInterleaved(
            List<? extends BatchEmbedder> models, List<TokenizedText> texts, int batch, int warmup, int passes)
            throws Exception {
        return measureInterleaved(models, texts, batch, warmup, passes, (done, total) -> {});
    }

    /** What a long interleaved measurement has done: {@code done} of {@code total} models' warm-ups and passes. */
    @FunctionalInterface
    public interface Steps {
        void done(int done, int total);
    }

    /** {@link #measureInterleaved}, telling {@code onStep} after each model's warm-up and each timed pass. */
    public static List<Result> measureInterleaved(
            List<? extends BatchEmbedder> models,
            List<TokenizedText> texts,
            int batch,
            int warmup,
            int passes,
            Steps onStep)
            throws Exception {
        checkArguments(texts, batch, warmup, passes);
        int total = models.size() * (1 + passes);
        int done = 0;
        List<Timing> timings = new ArrayList<>();
        for (BatchEmbedder model : models) {
            warmUp(model, texts, batch, warmup, pass -> {});
            timings.add(new Timing(texts.size(), batch, passes));
            onStep.done(++done, total);
        }
        for (int p = 0; p < passes; p++) {
            for (int m = 0; m < models.size(); m++) {
                timings.get(m).pass(models.get(m), texts);
                onStep.done(++done, total);
            }
        }
        return timings.stream().map(Timing::result).toList();
    }

    private static void checkArguments(List<TokenizedText> texts, int batch, int warmup, int passes) {
        if (texts.isEmpty() || batch < 1 || passes < 1 || warmup < 0) {
            throw new IllegalArgumentException("need texts, batch >= 1, passes >= 1, warmup >= 0");
        }
    }

    private static void warmUp(
            BatchEmbedder model, List<TokenizedText> texts, int batch, int warmup, IntConsumer onPass)
            throws Exception {
        long warmupStart = System.nanoTime();
        for (int w = 0; w < warmup || System.nanoTime() - warmupStart < MIN_WARMUP_SECONDS * 1_000_000_000L; w++) {
            runPass(model, texts, batch, null);
            onPass.accept(Math.min(w + 1, warmup));
        }
    }

    /** One model's timed passes: every batch's per-text time, and the passes' total time. */
    private static final class Timing {
        private final int texts;
        private final int batch;
        private final int batchesPerPass;
        private final double[] samples;
        private List<float[]> embeddings;
        private long totalNanos;
        private int passesDone;

        Timing(int texts, int batch, int passes) {
            this.texts = texts;
            this.batch = batch;
            this.batchesPerPass = (texts + batch - 1) / batch;
            this.samples = new double[batchesPerPass * passes];
        }

        void pass(BatchEmbedder model, List<TokenizedText> all) throws Exception {
            long[] nanos = new long[batchesPerPass];
            long started = System.nanoTime();
            embeddings = runPass(model, all, batch, nanos);
            totalNanos += System.nanoTime() - started;
            for (int b = 0; b < batchesPerPass; b++) {
                int size = Math.min(batch, texts - b * batch);
                samples[passesDone * batchesPerPass + b] = nanos[b] / 1e6 / size;
            }
            passesDone++;
        }

        Result result() {
            double[] sorted = samples.clone();
            Arrays.sort(sorted);
            return new Result(sorted, embeddings, texts * (double) passesDone / (totalNanos / 1e9));
        }
    }

    private static List<float[]> runPass(BatchEmbedder model, List<TokenizedText> texts, int batch, long[] nanos)
            throws Exception {
        List<float[]> vectors = new ArrayList<>(texts.size());
        for (int from = 0, b = 0; from < texts.size(); from += batch, b++) {
            List<TokenizedText> chunk = texts.subList(from, Math.min(texts.size(), from + batch));
            long started = System.nanoTime();
            List<float[]> embedded = model.embed(chunk);
            if (nanos != null) {
                nanos[b] = System.nanoTime() - started;
            }
            vectors.addAll(embedded);
        }
        return vectors;
    }
}
