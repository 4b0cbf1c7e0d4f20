package dev.sparseinfer.models.train;

import java.util.List;

/**
 * AdamW (Loshchilov & Hutter 2019): Adam with bias correction and weight decay decoupled from the gradient,
 * applied to weight matrices only (not to biases and LayerNorm parameters, as is usual for BERT). Pruned weights
 * are set back to zero after every update.
 */
final class AdamW {

    /** Below this many entries a parameter is updated on the calling thread: handing it out costs more. */
    private static final int SPLIT_ABOVE = 1 << 15;

    private final List<Parameter> parameters;
    private final Parallel parallel;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final float[][] m;
    private final float[][] v;
    private int steps;

    /** Every update is element by element and each norm is summed in a fixed order, whatever {@code parallel}. */
    AdamW(
            List<Parameter> parameters,
            double beta1,
            double beta2,
            double epsilon,
            double weightDecay,
            Parallel parallel) {
        this.parameters = List.copyOf(parameters);
        this.parallel = parallel;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
        this.m = new float[parameters.size()][];
        this.v = new float[parameters.size()][];
        for (int i = 0; i < parameters.size(); i++) {
            m[i] = new float[parameters.get(i).value().length];
            v[i] = new float[parameters.get(i).value().length];
        }
    }

    /** The usual BERT fine-tuning settings: betas 0.9 and 0.999, epsilon 1e-8, weight decay 0.01. */
    static AdamW standard(List<Parameter> parameters, Parallel parallel) {
        return new AdamW(parameters, 0.9, 0.999, 1e-8, 0.01, parallel);
    }

    /** The L2 norm of all gradients together: each parameter's squares summed in order, then those sums in order. */
    double gradientNorm() {
        double[] sums = new double[parameters.size()];
        parallel.range(parameters.size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                double sum = 0;
                for (float g : parameters.get(i).grad()) {
                    sum += (double) g * g;
                }
                sums[i] = sum;
            }
        });
        double sum = 0;
        for (double s : sums) {
            sum += s;
        }
        return Math.sqrt(sum);
    }

    /** Scales all gradients down so their joint norm is at most {@code maxNorm}; returns the norm before. */
    double clip(double maxNorm) {
        double norm = gradientNorm();
        if (norm > maxNorm) {
            float scale = (float) (maxNorm / norm);
            for (Parameter p : parameters) {
                float[] g = p.grad();
                elementwise(g.length, (from, to) -> {
                    for (int i = from; i < to; i++) {
                        g[i] *= scale;
                    }
                });
            }
        }
        return norm;
    }

    /** One update at learning rate {@code lr}. */
    void step(double lr) {
        steps++;
        double c1 = 1 - StrictMath.pow(beta1, steps);
        double c2 = 1 - StrictMath.pow(beta2, steps);
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            float[] w = p.value();
            float[] g = p.grad();
            float[] mi = m[i];
            float[] vi = v[i];
            double decay = p.prunable() ? lr * weightDecay : 0;
            elementwise(w.length, (from, to) -> {
                for (int j = from; j < to; j++) {
                    mi[j] = (float) (beta1 * mi[j] + (1 - beta1) * g[j]);
                    vi[j] = (float) (beta2 * vi[j] + (1 - beta2) * g[j] * g[j]);
                    double update = (mi[j] / c1) / (Math.sqrt(vi[j] / c2) + epsilon);
                    w[j] = (float) (w[j] - decay * w[j] - lr * update);
                }
            });
            p.zeroPrunedValues();
        }
    }

    private void elementwise(int length, Parallel.RangeBody body) {
        if (length < SPLIT_ABOVE) {
            body.run(0, length);
        } else {
            parallel.range(length, body);
        }
    }

    int steps() {
        return steps;
    }

    /** The first and second moments, in parameter order: what a checkpoint stores. */
    float[][] firstMoments() {
        return m;
    }

    float[][] secondMoments() {
        return v;
    }

    /** Restores the state a checkpoint saved. */
    void restore(int steps, float[][] first, float[][] second) {
        this.steps = steps;
        for (int i = 0; i < m.length; i++) {
            System.arraycopy(first[i], 0, m[i], 0, m[i].length);
            System.arraycopy(second[i], 0, v[i], 0, v[i].length);
        }
    }
}
