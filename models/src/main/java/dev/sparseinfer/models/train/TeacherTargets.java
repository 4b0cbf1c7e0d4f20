package dev.sparseinfer.models.train;

import dev.sparseinfer.engine.backend.TokenBatch;
import dev.sparseinfer.engine.backend.cpu.CpuBackend;
import dev.sparseinfer.engine.model.bert.BertEncoder;
import dev.sparseinfer.engine.model.bert.BertWeights;
import java.util.List;

/**
 * The teacher's output of every layer for a batch, and the embedding block's output the student starts from,
 * computed by the inference engine. Recomputed for every micro-batch rather than cached: on all-MiniLM-L6-v2 it is a
 * small part of a training step (see docs/distillation.md), while caching every layer's hidden states for a 50,000
 * sentence corpus would take gigabytes even in fp16.
 */
final class TeacherTargets implements AutoCloseable {

    /** {@code embedded}: the embedding block's output; {@code layers[l]}: the teacher's layer {@code l} output. */
    record Targets(float[] embedded, float[][] layers) {}

    private final CpuBackend cpu;
    private final BertEncoder teacher;
    private final BertEncoder embeddings;

    /** {@code studentStart} gives the frozen embeddings the student's input is computed with. */
    TeacherTargets(BertWeights teacher, BertWeights studentStart, int threads) {
        this.cpu = new CpuBackend(threads);
        this.teacher = new BertEncoder(teacher, cpu);
        this.embeddings =
                new BertEncoder(new BertWeights(studentStart.config(), studentStart.embeddings(), List.of()), cpu);
    }

    Targets of(TokenBatch batch) {
        float[] embedded = embeddings.hiddenStates(batch, 0);
        int layers = teacher.config().layers();
        float[][] outputs = new float[layers][];
        float[] h = teacher.hiddenStates(batch, 0);
        for (int l = 0; l < layers; l++) {
            h = teacher.runLayers(l, l + 1, h, batch);
            outputs[l] = h;
        }
        return new Targets(embedded, outputs);
    }

    @Override
    public void close() {
        cpu.close();
    }
}
