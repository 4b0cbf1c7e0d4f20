package dev.sparseinfer.models.train;

import dev.sparseinfer.engine.backend.TokenBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * The student encoder's forward pass, keeping what its backward pass needs, and the backward pass itself, written
 * out layer by layer in the order of the math (post-LayerNorm BERT, as {@code BertEncoder} runs it). The input is
 * the embedding block's output, which is frozen, so no gradient flows into it.
 */
final class StudentPass {

    /**
     * One layer's activations, kept from the forward pass for the backward pass. The linear layers' inputs
     * ({@code projectionInput}, {@code context}, {@code attended}, {@code activated}) are kept as those layers read
     * them: rounded under w8a8 fake quantisation.
     */
    record LayerTape(
            float[] projectionInput,
            float[] q,
            float[] k,
            float[] v,
            int[] probabilityOffsets,
            float[] probabilities,
            float[] context,
            float[] attentionSum,
            float[] attentionMean,
            float[] attentionRstd,
            float[] attended,
            float[] inner,
            float[] activated,
            float[] outputSum,
            float[] outputMean,
            float[] outputRstd,
            float[] output) {}

    /**
     * A forward pass: every layer's tape, and the rounding it ran with; layer {@code l}'s output is
     * {@code layers.get(l).output()}.
     */
    record Tape(TokenBatch batch, List<LayerTape> layers, FakeQuantization quantization) {

        float[] output(int layer) {
            return layers.get(layer).output();
        }
    }

    private final StudentModel model;
    private final double eps;
    private final Parallel parallel;
    private final Matmul matmul;
    private final Gradients gradients;

    StudentPass(StudentModel model, Parallel parallel, Matmul matmul) {
        this(model, parallel, matmul, Gradients.OWN);
    }

    /** A pass whose backward adds the parameter gradients to {@code gradients}' arrays. */
    StudentPass(StudentModel model, Parallel parallel, Matmul matmul, Gradients gradients) {
        this.model = model;
        this.eps = model.frozen().config().layerNormEps();
        this.parallel = parallel;
        this.matmul = matmul;
        this.gradients = gradients;
    }

    /**
     * Runs every layer on {@code embedded}, the embedding block's output ({@code [tokens, hidden]}), its linear
     * layers rounded as {@code quantization} says.
     */
    Tape forward(float[] embedded, TokenBatch batch, FakeQuantization quantization) {
        List<LayerTape> tapes = new ArrayList<>();
        float[] h = embedded;
        for (StudentModel.Layer layer : model.layers()) {
            LayerTape t = layer(layer, h, batch, quantization);
            tapes.add(t);
            h = t.output();
        }
        return new Tape(batch, tapes, quantization);
    }

    private LayerTape layer(StudentModel.Layer l, float[] x, TokenBatch batch, FakeQuantization fq) {
        int n = batch.tokens();
        int hidden = l.attentionOutput().rows();
        int width = l.query().rows();
        int inner = l.intermediate().rows();

        // Self-attention: project to queries, keys and values, attend within each sequence, project back.
        float[] q = new float[n * width];
        float[] k = new float[n * width];
        float[] v = new float[n * width];
        float[] xq = fq.input(x, n, hidden);
        LinearOp.forward(xq, n, l.query(), l.queryBias(), q, matmul, fq);
        LinearOp.forward(xq, n, l.key(), l.keyBias(), k, matmul, fq);
        LinearOp.forward(xq, n, l.value(), l.valueBias(), v, matmul, fq);
        int[] offsets = AttentionOp.probabilityOffsets(batch, l.heads());
        float[] probs = new float[offsets[batch.sequences()]];
        float[] context = new float[n * width];
        AttentionOp.forward(q, k, v, l.heads(), width, batch, offsets, probs, context, parallel);
        float[] sum1 = new float[n * hidden];
        float[] contextQ = fq.input(context, n, width);
        LinearOp.forward(contextQ, n, l.attentionOutput(), l.attentionOutputBias(), sum1, matmul, fq);
        // h1 = LayerNorm(x + attention(x))
        add(sum1, x);
        float[] mean1 = new float[n];
        float[] rstd1 = new float[n];
        float[] h1 = new float[n * hidden];
        LayerNormOp.forward(sum1, n, l.attentionNormGamma(), l.attentionNormBeta(), eps, h1, mean1, rstd1);

        // Feed-forward: GELU(h1 W1^T + b1) W2^T + b2.
        float[] pre = new float[n * inner];
        float[] h1q = fq.input(h1, n, hidden);
        LinearOp.forward(h1q, n, l.intermediate(), l.intermediateBias(), pre, matmul, fq);
        float[] act = new float[n * inner];
        GeluOp.forward(pre, n * inner, act, parallel);
        float[] sum2 = new float[n * hidden];
        float[] actQ = fq.input(act, n, inner);
        LinearOp.forward(actQ, n, l.output(), l.outputBias(), sum2, matmul, fq);
        // out = LayerNorm(h1 + feedForward(h1))
        add(sum2, h1);
        float[] mean2 = new float[n];
        float[] rstd2 = new float[n];
        float[] out = new float[n * hidden];
        LayerNormOp.forward(sum2, n, l.outputNormGamma(), l.outputNormBeta(), eps, out, mean2, rstd2);
        return new LayerTape(
                xq, q, k, v, offsets, probs, contextQ, sum1, mean1, rstd1, h1q, pre, actQ, sum2, mean2, rstd2, out);
    }

    /**
     * Adds every parameter's gradient (to this pass's gradient arrays), given the loss's gradient with respect to each layer's output
     * ({@code outputGrads[l]}, consumed: overwritten as scratch).
     */
    void backward(Tape tape, float[][] outputGrads) {
        List<StudentModel.Layer> layers = model.layers();
        for (int i = layers.size() - 1; i >= 0; i--) {
            float[] inputGrad = i > 0 ? outputGrads[i - 1] : null;
            layerBackward(
                    layers.get(i), tape.layers().get(i), tape.batch(), tape.quantization(), outputGrads[i], inputGrad);
        }
    }

    /** The layer's parameter gradients, and its input's gradient added to {@code dx} (skipped when null). */
    private void layerBackward(
            StudentModel.Layer l, LayerTape t, TokenBatch batch, FakeQuantization fq, float[] dOut, float[] dx) {
        int n = batch.tokens();
        int hidden = l.attentionOutput().rows();
        int width = l.query().rows();
        int inner = l.intermediate().rows();

        // out = LayerNorm(h1 + FFN(h1)): the sum's gradient reaches both FFN(h1) and, through the residual, h1.
        float[] dSum2 = new float[n * hidden];
        LayerNormOp.backward(
                dOut,
                t.outputSum(),
                n,
                l.outputNormGamma(),
                l.outputNormBeta(),
                t.outputMean(),
                t.outputRstd(),
                dSum2,
                gradients);
        float[] dAct = new float[n * inner];
        LinearOp.backward(dSum2, t.activated(), n, l.output(), l.outputBias(), dAct, false, matmul, fq, gradients);
        GeluOp.backward(t.inner(), dAct, n * inner, parallel);
        float[] dH1 = dSum2;
        LinearOp.backward(
                dAct, t.attended(), n, l.intermediate(), l.intermediateBias(), dH1, true, matmul, fq, gradients);

        // h1 = LayerNorm(x + attention(x))
        float[] dSum1 = new float[n * hidden];
        LayerNormOp.backward(
                dH1,
                t.attentionSum(),
                n,
                l.attentionNormGamma(),
                l.attentionNormBeta(),
                t.attentionMean(),
                t.attentionRstd(),
                dSum1,
                gradients);
        float[] dContext = new float[n * width];
        LinearOp.backward(
                dSum1,
                t.context(),
                n,
                l.attentionOutput(),
                l.attentionOutputBias(),
                dContext,
                false,
                matmul,
                fq,
                gradients);
        float[] dq = new float[n * width];
        float[] dk = new float[n * width];
        float[] dv = new float[n * width];
        AttentionOp.backward(
                dContext,
                t.q(),
                t.k(),
                t.v(),
                l.heads(),
                width,
                batch,
                t.probabilityOffsets(),
                t.probabilities(),
                dq,
                dk,
                dv,
                parallel);
        if (dx != null) {
            add(dx, dSum1);
        }
        LinearOp.backward(dq, t.projectionInput(), n, l.query(), l.queryBias(), dx, true, matmul, fq, gradients);
        LinearOp.backward(dk, t.projectionInput(), n, l.key(), l.keyBias(), dx, true, matmul, fq, gradients);
        LinearOp.backward(dv, t.projectionInput(), n, l.value(), l.valueBias(), dx, true, matmul, fq, gradients);
    }

    private static void add(float[] into, float[] x) {
        for (int i = 0; i < into.length; i++) {
            into[i] += x[i];
        }
    }
}
