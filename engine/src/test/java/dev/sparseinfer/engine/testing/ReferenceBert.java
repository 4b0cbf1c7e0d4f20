package dev.sparseinfer.engine.testing;

import dev.sparseinfer.engine.backend.cpu.Erf;
import dev.sparseinfer.engine.format.DenseWeights;
import dev.sparseinfer.engine.format.FloatMatrix;
import dev.sparseinfer.engine.format.LayerNormWeights;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.model.bert.BertLayer;
import dev.sparseinfer.engine.model.bert.BertWeights;
import java.util.ArrayList;
import java.util.List;

/**
 * The BERT forward pass for one text, in float64 with plain loops and explicit padding-free attention: the oracle
 * for the engine's encoder. Knows nothing of backends or kernels.
 */
public final class ReferenceBert {

    private ReferenceBert() {}

    /** The mean-pooled, L2-normalised embedding of one token sequence, its positions counted from 0. */
    public static double[] embed(BertWeights w, int[] ids, int[] types) {
        return embed(w, ids, types, countFromZero(ids.length));
    }

    /** The mean-pooled, L2-normalised embedding of one token sequence with the position ids given. */
    public static double[] embed(BertWeights w, int[] ids, int[] types, int[] positions) {
        return embed(w, ids, types, positions, NO_SCORE_BIAS);
    }

    /** A term added to head {@code head}'s attention score of query {@code i} for key {@code j}. */
    public interface ScoreBias {
        double at(int head, int i, int j);
    }

    private static final ScoreBias NO_SCORE_BIAS = (head, i, j) -> 0;

    /**
     * The mean-pooled, L2-normalised embedding of one token sequence with the position ids given, {@code bias}
     * added to every layer's attention scores before the softmax.
     */
    public static double[] embed(BertWeights w, int[] ids, int[] types, int[] positions, ScoreBias bias) {
        return meanPoolNormalized(lastHiddenStates(w, ids, types, positions, bias, new ArrayList<>()));
    }

    /** The last layer's output for one token sequence, {@code [tokens][hidden]}: what every pooling starts from. */
    public static double[][] lastHiddenStates(BertWeights w, int[] ids, int[] types) {
        return lastHiddenStates(w, ids, types, countFromZero(ids.length), NO_SCORE_BIAS, new ArrayList<>());
    }

    /**
     * The input of every linear layer for one token sequence ({@code [tokens][features]} each), four per layer in
     * the order the layer reads them: the layer's input (query, key and value), the attention context (attention
     * output), the attention block's output (intermediate) and the GELU output (output).
     */
    public static List<double[][]> linearInputs(BertWeights w, int[] ids, int[] types) {
        List<double[][]> inputs = new ArrayList<>();
        lastHiddenStates(w, ids, types, countFromZero(ids.length), NO_SCORE_BIAS, inputs);
        return inputs;
    }

    private static int[] countFromZero(int n) {
        int[] positions = new int[n];
        for (int t = 0; t < n; t++) {
            positions[t] = t;
        }
        return positions;
    }

    private static double[][] lastHiddenStates(
            BertWeights w, int[] ids, int[] types, int[] positions, ScoreBias bias, List<double[][]> linearInputs) {
        int n = ids.length;
        int hidden = w.config().hiddenSize();
        double eps = w.config().layerNormEps();
        double[][] h = new double[n][hidden];
        for (int t = 0; t < n; t++) {
            for (int c = 0; c < hidden; c++) {
                h[t][c] = (double) w.embeddings().word().get(ids[t], c)
                        + w.embeddings().position().get(positions[t], c)
                        + w.embeddings().tokenType().get(types[t], c);
            }
            h[t] = layerNorm(h[t], w.embeddings().norm(), eps);
        }
        for (BertLayer layer : w.layers()) {
            linearInputs.add(copy(h));
            double[][] q = linear(h, layer.query());
            double[][] k = linear(h, layer.key());
            double[][] v = linear(h, layer.value());
            int headDim = w.config().headDim();
            int heads = q[0].length / headDim;
            double[][] context = new double[n][q[0].length];
            for (int head = 0; head < heads; head++) {
                int off = head * headDim;
                for (int i = 0; i < n; i++) {
                    double[] scores = new double[n];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < n; j++) {
                        double s = 0;
                        for (int d = 0; d < headDim; d++) {
                            s += q[i][off + d] * k[j][off + d];
                        }
                        scores[j] = s / Math.sqrt(headDim) + bias.at(head, i, j);
                        max = Math.max(max, scores[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < n; j++) {
                        scores[j] = Math.exp(scores[j] - max);
                        sum += scores[j];
                    }
                    for (int j = 0; j < n; j++) {
                        for (int d = 0; d < headDim; d++) {
                            context[i][off + d] += scores[j] / sum * v[j][off + d];
                        }
                    }
                }
            }
            linearInputs.add(context);
            double[][] attended = linear(context, layer.attentionOutput());
            for (int t = 0; t < n; t++) {
                h[t] = layerNorm(add(attended[t], h[t]), layer.attentionNorm(), eps);
            }
            linearInputs.add(copy(h));
            double[][] inner = linear(h, layer.intermediate());
            for (double[] row : inner) {
                for (int c = 0; c < row.length; c++) {
                    row[c] = 0.5 * row[c] * (1 + Erf.erf(row[c] / Math.sqrt(2)));
                }
            }
            linearInputs.add(inner);
            double[][] out = linear(inner, layer.output());
            for (int t = 0; t < n; t++) {
                h[t] = layerNorm(add(out[t], h[t]), layer.outputNorm(), eps);
            }
        }
        return h;
    }

    private static double[] meanPoolNormalized(double[][] h) {
        int n = h.length;
        int hidden = h[0].length;
        double[] pooled = new double[hidden];
        for (double[] row : h) {
            for (int c = 0; c < hidden; c++) {
                pooled[c] += row[c] / n;
            }
        }
        double norm = 0;
        for (double p : pooled) {
            norm += p * p;
        }
        norm = Math.sqrt(norm);
        for (int c = 0; c < hidden; c++) {
            pooled[c] /= norm;
        }
        return pooled;
    }

    private static double[][] copy(double[][] x) {
        double[][] c = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            c[t] = x[t].clone();
        }
        return c;
    }

    private static double[][] linear(double[][] x, Linear layer) {
        FloatMatrix w = ((DenseWeights) layer.weights()).matrix();
        double[][] y = new double[x.length][w.rows()];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < w.rows(); o++) {
                double acc = layer.bias()[o];
                for (int i = 0; i < w.cols(); i++) {
                    acc += x[t][i] * w.get(o, i);
                }
                y[t][o] = acc;
            }
        }
        return y;
    }

    private static double[] layerNorm(double[] x, LayerNormWeights norm, double eps) {
        double mean = 0;
        for (double v : x) {
            mean += v / x.length;
        }
        double variance = 0;
        for (double v : x) {
            variance += (v - mean) * (v - mean) / x.length;
        }
        double[] y = new double[x.length];
        for (int c = 0; c < x.length; c++) {
            y[c] = (x[c] - mean) / Math.sqrt(variance + eps) * norm.gamma()[c] + norm.beta()[c];
        }
        return y;
    }

    private static double[] add(double[] a, double[] b) {
        double[] s = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            s[i] = a[i] + b[i];
        }
        return s;
    }
}
