package dev.sparseinfer.models.train;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.model.bert.BertWeights;
import dev.sparseinfer.engine.tokenizer.TokenizedText;
import dev.sparseinfer.models.prune.MaskSelection;
import dev.sparseinfer.models.prune.PrunePattern;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;

/**
 * Sparse fine-tuning by distillation: a student starting from a dense or one-shot pruned model learns to reproduce
 * the teacher's every layer and pooled embedding on a corpus, while its pruned weights stay exactly zero. For 2:4 the
 * mask is fixed from the start (the starting model's, or by magnitude); unstructured sparsity rises on
 * {@link SparsitySchedule}, the smallest weights of each row pruned at each mask update. With an int8 scheme, the
 * last {@link DistillSettings#qatSteps()} steps are quantisation-aware ({@link FakeQuantization}): the student trains
 * as the int8 model it will be written as.
 */
public final class Distiller implements AutoCloseable {

    /** What a step did. {@code teacherSeconds}: the part of {@code seconds} spent computing the teacher's targets. */
    public record StepReport(
            int step,
            int steps,
            double loss,
            double gradientNorm,
            double learningRate,
            double sparsity,
            double seconds,
            double teacherSeconds) {}

    /** Hears about each step. */
    @FunctionalInterface
    public interface Listener {
        void stepDone(StepReport report);
    }

    /**
     * The shards a step's batch is split into. Fixed rather than one per thread, so that a run gives the same
     * weights on any thread count; two whole passes side by side are what a 2-core machine runs best.
     */
    static final int SHARDS = 2;

    private final List<TokenizedText> corpus;
    private final DistillSettings settings;
    private final StudentModel student;
    private final List<Parameter> parameters;
    private final Parallel updates;
    private final AdamW optimizer;
    private final List<BatchShard> shards;
    private final ExecutorService shardThreads;
    private final BatchOrder order;
    private final SparsitySchedule schedule;
    private final String fingerprint;
    private int nextStep;

    /**
     * @param source describes the teacher, start model and corpus; with the settings it makes the fingerprint a
     *     checkpoint must match to be resumed
     */
    public Distiller(
            BertWeights teacher,
            BertWeights start,
            List<TokenizedText> corpus,
            DistillSettings settings,
            int threads,
            String source) {
        this.corpus = List.copyOf(corpus);
        this.settings = settings;
        this.student = StudentModel.of(start);
        this.parameters = student.parameters();
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (settings.pattern() == PrunePattern.TWO_FOUR) {
            for (Parameter p : student.prunable()) {
                if (p.cols() % 4 != 0) {
                    throw SparseInferException.invalidArgument(
                            p.name() + " has " + p.cols() + " inputs, not a multiple of 4: cannot be 2:4");
                }
                if (!isTwoFour(p)) {
                    p.prune(MaskSelection.twoFour(magnitudes(p), p.rows(), p.cols()));
                }
            }
        }
        this.updates = new Parallel(threads);
        this.optimizer = AdamW.standard(parameters, updates);
        List<BatchShard> shards = new ArrayList<>();
        for (int s = 0; s < SHARDS; s++) {
            Gradients gradients = s == 0 ? Gradients.OWN : new Gradients.Buffers(parameters);
            shards.add(new BatchShard(teacher, start, student, settings, gradients, Math.max(1, threads / SHARDS)));
        }
        this.shards = List.copyOf(shards);
        this.shardThreads = threads == 1 ? null : Executors.newFixedThreadPool(Math.min(threads, SHARDS), daemon());
        this.order = new BatchOrder(corpus.size(), settings.batchSequences(), settings.seed());
        this.schedule = new SparsitySchedule(student.sparsity(), settings.sparsity(), Math.max(1, (int)
                Math.round(settings.rampFraction() * settings.steps())));
        this.fingerprint = source + " | " + settings.fingerprint();
    }

    public StudentModel student() {
        return student;
    }

    public DistillSettings settings() {
        return settings;
    }

    /** The step the next {@link #run} starts at: 0, or where a resumed checkpoint left off. */
    public int nextStep() {
        return nextStep;
    }

    /** Continues from a checkpoint this run's settings wrote. */
    public void resume(Path checkpoint) {
        nextStep = Checkpoint.restore(checkpoint, fingerprint, parameters, optimizer)
                .nextStep();
    }

    /** Writes the state after the last step run. */
    public void checkpoint(Path file) {
        Checkpoint.save(file, fingerprint, settings.steps(), nextStep, parameters, optimizer);
    }

    /**
     * Runs steps until {@code until} (at most the settings' step count), writing a checkpoint to {@code checkpoint}
     * (if not null) whenever {@code every} has passed since the last one, and at the end.
     */
    public void run(int until, Path checkpoint, Duration every, Listener listener) {
        long lastSave = System.nanoTime();
        int last = Math.min(until, settings.steps());
        while (nextStep < last) {
            listener.stepDone(step(nextStep));
            nextStep++;
            if (checkpoint != null && (System.nanoTime() - lastSave >= every.toNanos() || nextStep == last)) {
                checkpoint(checkpoint);
                lastSave = System.nanoTime();
            }
        }
    }

    /** One optimiser step: mask update, forward and backward over the batch's micro-batches, clip, AdamW. */
    private StepReport step(int step) {
        long started = System.nanoTime();
        if (settings.pattern() == PrunePattern.UNSTRUCTURED
                && (step % settings.remaskEvery() == 0 || step == schedule.rampSteps())) {
            double target = schedule.at(step);
            for (Parameter p : student.prunable()) {
                if (target > p.sparsity()) {
                    p.prune(MaskSelection.perRow(magnitudes(p), p.rows(), p.cols(), target));
                }
            }
        }
        for (Parameter p : parameters) {
            p.clearGrad();
        }
        // Rounded once per step: the weights change only in the optimiser's update.
        FakeQuantization quantization = step >= settings.qatStart()
                ? FakeQuantization.of(settings.qatScheme(), student.prunable())
                : FakeQuantization.NONE;
        BatchShard.Result passes = accumulate(order.batch(step), quantization);
        double norm = optimizer.clip(settings.clipNorm());
        double lr = settings.learningRates().at(step);
        optimizer.step(lr);
        return new StepReport(
                step,
                settings.steps(),
                passes.loss(),
                norm,
                lr,
                student.sparsity(),
                (System.nanoTime() - started) / 1e9,
                passes.teacherSeconds());
    }

    /**
     * Adds the gradients of the batch {@code indices} to the parameters', shard by shard, the shards side by side
     * when there are threads for it; the shards' buffers are summed in shard order, so the result does not depend on
     * the thread count. Returns the batch loss and the longest time a shard's teacher took.
     */
    BatchShard.Result accumulate(int[] indices, FakeQuantization quantization) {
        for (Parameter p : student.prunable()) {
            p.sparseMask(); // built here, once, rather than lazily by two shards at once
        }
        List<List<TokenizedText>> parts = split(indices);
        int tokens = tokens(indices);
        List<Callable<BatchShard.Result>> work = new ArrayList<>();
        for (int s = 0; s < parts.size(); s++) {
            BatchShard shard = shards.get(s);
            List<TokenizedText> part = parts.get(s);
            work.add(() -> shard.accumulate(part, tokens, indices.length, quantization));
        }
        List<BatchShard.Result> results = runAll(work);
        double loss = 0;
        double teacherSeconds = 0;
        for (int s = 0; s < results.size(); s++) {
            loss += results.get(s).loss();
            teacherSeconds = Math.max(teacherSeconds, results.get(s).teacherSeconds());
            if (shards.get(s).gradients() instanceof Gradients.Buffers buffers) {
                buffers.addToParameters(updates);
            }
        }
        return new BatchShard.Result(loss, teacherSeconds);
    }

    /** The batch in {@link #SHARDS} runs of consecutive sequences with about equal token counts. */
    List<List<TokenizedText>> split(int[] indices) {
        int total = tokens(indices);
        List<List<TokenizedText>> parts = new ArrayList<>();
        List<TokenizedText> current = new ArrayList<>();
        double done = 0;
        for (int i : indices) {
            TokenizedText t = corpus.get(i);
            boolean pastCut = done + t.length() / 2.0 > (double) total * (parts.size() + 1) / SHARDS;
            if (!current.isEmpty() && parts.size() < SHARDS - 1 && pastCut) {
                parts.add(current);
                current = new ArrayList<>();
            }
            current.add(t);
            done += t.length();
        }
        parts.add(current);
        return parts;
    }

    private int tokens(int[] indices) {
        int n = 0;
        for (int i : indices) {
            n += corpus.get(i).length();
        }
        return n;
    }

    private List<BatchShard.Result> runAll(List<Callable<BatchShard.Result>> work) {
        List<BatchShard.Result> results = new ArrayList<>();
        try {
            if (shardThreads == null) {
                for (Callable<BatchShard.Result> w : work) {
                    results.add(w.call());
                }
                return results;
            }
            for (Future<BatchShard.Result> f : shardThreads.invokeAll(work)) {
                results.add(f.get());
            }
            return results;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during a training step", e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static ThreadFactory daemon() {
        return r -> {
            Thread t = new Thread(r, "distill-shard");
            t.setDaemon(true);
            return t;
        };
    }

    private static boolean isTwoFour(Parameter p) {
        boolean[] pruned = p.pruned();
        if (pruned == null) {
            return false;
        }
        for (int g = 0; g < pruned.length; g += 4) {
            int n = (pruned[g] ? 1 : 0) + (pruned[g + 1] ? 1 : 0) + (pruned[g + 2] ? 1 : 0) + (pruned[g + 3] ? 1 : 0);
            if (n < 2) {
                return false;
            }
        }
        return true;
    }

    private static double[] magnitudes(Parameter p) {
        float[] w = p.value();
        double[] s = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            s[i] = Math.abs(w[i]);
        }
        return s;
    }

    /** The step count of the run that wrote a checkpoint. */
    public static int checkpointSteps(Path checkpoint) {
        return Checkpoint.totalSteps(checkpoint);
    }

    /** Whether {@code file} exists: a run asked to resume without one starts from the beginning. */
    public static boolean hasCheckpoint(Path file) {
        return file != null && Files.isRegularFile(file);
    }

    @Override
    public void close() {
        if (shardThreads != null) {
            shardThreads.shutdown();
        }
        shards.forEach(BatchShard::close);
        updates.close();
    }
}
