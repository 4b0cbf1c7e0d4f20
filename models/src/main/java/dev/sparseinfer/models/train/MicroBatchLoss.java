package dev.sparseinfer.models.train;

import dev.sparseinfer.engine.backend.TokenBatch;

/**
 * One micro-batch of a training step: the student's forward pass, the loss against the teacher's hidden states
 * and pooled embeddings, and the backward pass, which adds to every parameter's gradient.
 */
final class MicroBatchLoss {

    private final StudentModel model;
    private final StudentPass pass;
    private final DistillLoss loss;

    MicroBatchLoss(StudentModel model, DistillLoss loss, Parallel parallel, Matmul matmul) {
        this(model, loss, parallel, matmul, Gradients.OWN);
    }

    /** A loss whose backward pass adds the parameter gradients to {@code gradients}' arrays. */
    MicroBatchLoss(StudentModel model, DistillLoss loss, Parallel parallel, Matmul matmul, Gradients gradients) {
        this.model = model;
        this.pass = new StudentPass(model, parallel, matmul, gradients);
        this.loss = loss;
    }

    /**
     * Returns this micro-batch's share of the batch loss.
     *
     * @param embedded      the embedding block's output for {@code batch}
     * @param teacher       the teacher's output of every layer for {@code batch}
     * @param batchTokens   tokens in the whole batch this micro-batch belongs to
     * @param batchSequences sequences in the whole batch
     * @param quantization  how the linear layers round their weights and inputs in this step
     */
    double accumulate(
            float[] embedded,
            float[][] teacher,
            TokenBatch batch,
            int batchTokens,
            int batchSequences,
            FakeQuantization quantization) {
        StudentPass.Tape tape = pass.forward(embedded, batch, quantization);
        int layers = model.layers().size();
        int hidden = model.frozen().config().hiddenSize();
        int n = batch.tokens();
        float[][] grads = new float[layers][n * hidden];
        double value = 0;
        for (int l = 0; l < layers; l++) {
            value += loss.hidden(tape.output(l), teacher[l], n, hidden, layers, batchTokens, grads[l]);
        }
        float[] pooledStudent = MeanPoolOp.forward(tape.output(layers - 1), hidden, batch);
        float[] pooledTeacher = MeanPoolOp.forward(teacher[layers - 1], hidden, batch);
        float[] pooledGrad = new float[pooledStudent.length];
        value += loss.pooled(pooledStudent, pooledTeacher, batch.sequences(), hidden, batchSequences, pooledGrad);
        MeanPoolOp.backward(pooledGrad, hidden, batch, grads[layers - 1]);
        pass.backward(tape, grads);
        return value;
    }
}
