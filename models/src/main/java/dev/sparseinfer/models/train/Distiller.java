package dev.sparseinfer.models.train;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.backend.TokenBatch;
import dev.sparseinfer.engine.model.bert.BertWeights;
import dev.sparseinfer.engine.tokenizer.TokenizedText;
import dev.sparseinfer.models.prune.MaskSelection;
import dev.sparseinfer.models.prune.PrunePattern;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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

    private final List<TokenizedText> corpus;
    private final DistillSettings settings;
    private final StudentModel student;
    private final List<Parameter> parameters;
    private final AdamW optimizer;
    private final Parallel parallel;
    private final Matmul matmul;
    private final TeacherTargets teacher;
    private final MicroBatchLoss loss;
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
        this.optimizer = AdamW.standard(parameters);
        this.parallel = new Parallel(threads);
        this.matmul = new Matmul(threads);
        this.teacher = new TeacherTargets(teacher, start, threads);
        this.loss = new MicroBatchLoss(student, settings.loss(), parallel, matmul);
        this.order = new BatchOrder(corpus.size(), settings.batchSequences(), settings.seed());
        this.schedule = new SparsitySchedule(student.sparsity(), settings.sparsity(), Math.max(1, (int)
                Math.round(settings.rampFraction() * settings.steps())));
        this.fingerprint = source + " | " + settings.fingerprint();
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
        int[] indices = order.batch(step);
        int batchTokens = 0;
        for (int i : indices) {
            batchTokens += corpus.get(i).length();
        }
        // Rounded once per step: the weights change only in the optimiser's update.
        FakeQuantization quantization = step >= settings.qatStart()
                ? FakeQuantization.of(settings.qatScheme(), student.prunable())
                : FakeQuantization.NONE;
        double value = 0;
        long teacherNanos = 0;
        for (List<TokenizedText> micro : microBatches(indices)) {
            TokenBatch batch = TokenBatch.pack(
                    micro.stream().map(TokenizedText::ids).toArray(int[][]::new),
                    micro.stream().map(TokenizedText::typeIds).toArray(int[][]::new));
            long t0 = System.nanoTime();
            TeacherTargets.Targets targets = teacher.of(batch);
            teacherNanos += System.nanoTime() - t0;
            value += loss.accumulate(
                    targets.embedded(), targets.layers(), batch, batchTokens, indices.length, quantization);
        }
        double norm = optimizer.clip(settings.clipNorm());
        double lr = settings.learningRates().at(step);
        optimizer.step(lr);
        return new StepReport(
                step,
                settings.steps(),
                value,
                norm,
                lr,
                student.sparsity(),
                (System.nanoTime() - started) / 1e9,
                teacherNanos / 1e9);
    }

    private List<List<TokenizedText>> microBatches(int[] indices) {
        List<List<TokenizedText>> batches = new ArrayList<>();
        List<TokenizedText> current = new ArrayList<>();
        int tokens = 0;
        for (int i : indices) {
            TokenizedText t = corpus.get(i);
            if (!current.isEmpty() && tokens + t.length() > settings.microBatchTokens()) {
                batches.add(current);
                current = new ArrayList<>();
                tokens = 0;
            }
            current.add(t);
            tokens += t.length();
        }
        batches.add(current);
        return batches;
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

    /**
     * The seconds one step takes, measured on the first batch without changing the model: to size a run by time.
     */
    public double measureStepSeconds() {
        long started = System.nanoTime();
        int[] indices = order.batch(0);
        int batchTokens = 0;
        for (int i : indices) {
            batchTokens += corpus.get(i).length();
        }
        for (List<TokenizedText> micro : microBatches(indices)) {
            TokenBatch batch = TokenBatch.pack(
                    micro.stream().map(TokenizedText::ids).toArray(int[][]::new),
                    micro.stream().map(TokenizedText::typeIds).toArray(int[][]::new));
            TeacherTargets.Targets targets = teacher.of(batch);
            loss.accumulate(
                    targets.embedded(), targets.layers(), batch, batchTokens, indices.length, FakeQuantization.NONE);
        }
        for (Parameter p : parameters) {
            p.clearGrad();
        }
        return (System.nanoTime() - started) / 1e9;
    }

    /** Whether {@code file} exists: a run asked to resume without one starts from the beginning. */
    public static boolean hasCheckpoint(Path file) {
        return file != null && Files.isRegularFile(file);
    }

    @Override
    public void close() {
        teacher.close();
        matmul.close();
        parallel.close();
    }
}
