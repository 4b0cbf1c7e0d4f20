package dev.sparseinfer.models.train;

import dev.sparseinfer.engine.backend.TokenBatch;
import dev.sparseinfer.engine.model.bert.BertWeights;
import dev.sparseinfer.engine.tokenizer.TokenizedText;
import java.util.ArrayList;
import java.util.List;

/**
 * One share of a training step's batch, run as whole forward and backward passes on threads of its own: the
 * teacher's targets, the student's loss, and the gradients, which it adds to its own arrays. Two shards running side
 * by side on two cores keep both busy through the parts of a step that run on one thread (LayerNorm, transposes,
 * the teacher's small products), which splitting each product between the cores does not.
 */
final class BatchShard implements AutoCloseable {

    /** What a shard's passes gave: its share of the batch loss, and the seconds its teacher took. */
    record Result(double loss, double teacherSeconds) {}

    private final TeacherTargets teacher;
    private final Parallel parallel;
    private final Matmul matmul;
    private final MicroBatchLoss loss;
    private final Gradients gradients;
    private final int microBatchTokens;

    /**
     * @param gradients where the backward passes add the gradients: {@link Gradients#OWN} for the first shard,
     *     {@link Gradients.Buffers} for the others
     */
    BatchShard(
            BertWeights teacher,
            BertWeights start,
            StudentModel student,
            DistillSettings settings,
            Gradients gradients,
            int threads) {
        this.teacher = new TeacherTargets(teacher, start, threads);
        this.parallel = new Parallel(threads);
        this.matmul = new Matmul(threads);
        this.loss = new MicroBatchLoss(student, settings.loss(), parallel, matmul, gradients);
        this.gradients = gradients;
        this.microBatchTokens = settings.microBatchTokens();
    }

    Gradients gradients() {
        return gradients;
    }

    /**
     * Adds the gradients of {@code texts}, part of a batch of {@code batchSequences} sequences and
     * {@code batchTokens} tokens, micro-batch by micro-batch; buffers are cleared first.
     */
    Result accumulate(List<TokenizedText> texts, int batchTokens, int batchSequences, FakeQuantization quantization) {
        if (gradients instanceof Gradients.Buffers buffers) {
            buffers.clear();
        }
        double value = 0;
        long teacherNanos = 0;
        for (List<TokenizedText> micro : microBatches(texts)) {
            TokenBatch batch = TokenBatch.pack(
                    micro.stream().map(TokenizedText::ids).toArray(int[][]::new),
                    micro.stream().map(TokenizedText::typeIds).toArray(int[][]::new));
            long t0 = System.nanoTime();
            TeacherTargets.Targets targets = teacher.of(batch);
            teacherNanos += System.nanoTime() - t0;
            value += loss.accumulate(
                    targets.embedded(), targets.layers(), batch, batchTokens, batchSequences, quantization);
        }
        return new Result(value, teacherNanos / 1e9);
    }

    private List<List<TokenizedText>> microBatches(List<TokenizedText> texts) {
        List<List<TokenizedText>> batches = new ArrayList<>();
        List<TokenizedText> current = new ArrayList<>();
        int tokens = 0;
        for (TokenizedText t : texts) {
            if (!current.isEmpty() && tokens + t.length() > microBatchTokens) {
                batches.add(current);
                current = new ArrayList<>();
                tokens = 0;
            }
            current.add(t);
            tokens += t.length();
        }
        if (!current.isEmpty()) {
            batches.add(current);
        }
        return batches;
    }

    @Override
    public void close() {
        teacher.close();
        matmul.close();
        parallel.close();
    }
}
