package dev.sparseinfer.models.prune;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.backend.cpu.CpuBackend;
import dev.sparseinfer.engine.format.DenseWeights;
import dev.sparseinfer.engine.format.FloatMatrix;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.model.bert.BertEncoder;
import dev.sparseinfer.engine.model.bert.BertLayer;
import dev.sparseinfer.engine.model.bert.BertWeights;
import dev.sparseinfer.models.calibration.CalibrationSet;
import dev.sparseinfer.models.calibration.Progress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Structured pruning, which really shrinks the matrices (dense in, dense out):
 * <ul>
 * <li>{@code heads}: per layer, drops the attention heads whose query, key, value rows and output-projection
 *     columns have the smallest L1 norm (Michel et al. 2019 rank heads by importance; the weight norm is the
 *     data-free proxy);</li>
 * <li>{@code ffn}: per layer, drops the FFN channels whose intermediate row and output column have the smallest
 *     L1 norm (after Li et al. 2017);</li>
 * <li>{@code layers}: drops the encoder layers that change their input least on calibration data, measured as
 *     the mean of {@code 1 - cos(input, output)} over tokens (the block-influence score of Men et al. 2024).</li>
 * </ul>
 * The fraction removed is {@code round(sparsity * count)}, at least one kept.
 */
public final class StructuredPruner {

    private StructuredPruner() {}

    public static BertWeights prune(
            BertWeights model, PruneSpec spec, CalibrationSet calibration, int threads, Progress progress) {
        return switch (spec.pattern()) {
            case HEADS -> pruneHeads(model, spec.sparsity(), progress);
            case FFN -> pruneFfn(model, spec.sparsity(), progress);
            case LAYERS -> pruneLayers(model, spec.sparsity(), calibration, threads, progress);
            default -> throw new IllegalArgumentException(spec.pattern() + " is not a structured pattern");
        };
    }

    static int dropCount(double sparsity, int count) {
        return Math.min(count - 1, (int) Math.round(sparsity * count));
    }

    private static BertWeights pruneHeads(BertWeights model, double sparsity, Progress progress) {
        if (model.embeddings().relativePositionBias() != null) {
            // Its one bias table has a column per head for every layer; dropping heads per layer would need one each.
            throw SparseInferException.invalidArgument("heads pruning is not supported for "
                    + model.config().architecture().modelType() + " (its relative position bias spans every head)");
        }
        int headDim = model.config().headDim();
        List<BertLayer> layers = new ArrayList<>();
        for (BertLayer l : model.layers()) {
            progress.update(
                    "pruning heads of layer " + (layers.size() + 1) + "/"
                            + model.layers().size(),
                    layers.size(),
                    model.layers().size());
            FloatMatrix q = dense(l.query());
            FloatMatrix k = dense(l.key());
            FloatMatrix v = dense(l.value());
            FloatMatrix o = dense(l.attentionOutput());
            int heads = q.rows() / headDim;
            double[] importance = new double[heads];
            for (int h = 0; h < heads; h++) {
                for (int r = h * headDim; r < (h + 1) * headDim; r++) {
                    importance[h] += rowL1(q, r) + rowL1(k, r) + rowL1(v, r) + colL1(o, r);
                }
            }
            int[] keptHeads = kept(importance, dropCount(sparsity, heads));
            int[] keep = new int[keptHeads.length * headDim];
            for (int i = 0; i < keptHeads.length; i++) {
                for (int d = 0; d < headDim; d++) {
                    keep[i * headDim + d] = keptHeads[i] * headDim + d;
                }
            }
            layers.add(new BertLayer(
                    keepRows(l.query(), keep),
                    keepRows(l.key(), keep),
                    keepRows(l.value(), keep),
                    keepCols(l.attentionOutput(), keep),
                    l.attentionNorm(),
                    l.intermediate(),
                    l.output(),
                    l.outputNorm()));
        }
        return new BertWeights(model.config(), model.embeddings(), layers);
    }

    private static BertWeights pruneFfn(BertWeights model, double sparsity, Progress progress) {
        List<BertLayer> layers = new ArrayList<>();
        for (BertLayer l : model.layers()) {
            progress.update(
                    "pruning FFN channels of layer " + (layers.size() + 1) + "/"
                            + model.layers().size(),
                    layers.size(),
                    model.layers().size());
            FloatMatrix up = dense(l.intermediate());
            FloatMatrix down = dense(l.output());
            double[] importance = new double[up.rows()];
            for (int c = 0; c < up.rows(); c++) {
                importance[c] = rowL1(up, c) + colL1(down, c);
            }
            int[] keep = kept(importance, dropCount(sparsity, up.rows()));
            layers.add(new BertLayer(
                    l.query(),
                    l.key(),
                    l.value(),
                    l.attentionOutput(),
                    l.attentionNorm(),
                    keepRows(l.intermediate(), keep),
                    keepCols(l.output(), keep),
                    l.outputNorm()));
        }
        return new BertWeights(model.config(), model.embeddings(), layers);
    }

    private static BertWeights pruneLayers(
            BertWeights model, double sparsity, CalibrationSet calibration, int threads, Progress progress) {
        if (calibration == null) {
            throw SparseInferException.invalidArgument("layer pruning needs calibration texts");
        }
        int count = model.layers().size();
        progress.update("measuring layer influence on " + calibration.texts().size() + " texts", 0, 1);
        double[] influence = new double[count];
        try (CpuBackend cpu = new CpuBackend(threads)) {
            BertEncoder encoder = new BertEncoder(model, cpu);
            int hidden = model.config().hiddenSize();
            int tokens = calibration.batch().tokens();
            float[] input = encoder.hiddenStates(calibration.batch(), 0);
            for (int l = 0; l < count; l++) {
                float[] output = encoder.runLayers(l, l + 1, input, calibration.batch());
                double sum = 0;
                for (int t = 0; t < tokens; t++) {
                    sum += 1 - cosine(input, output, t * hidden, hidden);
                }
                influence[l] = sum / tokens;
                input = output;
            }
        }
        int[] keep = kept(influence, dropCount(sparsity, count));
        List<BertLayer> layers = new ArrayList<>();
        for (int i : keep) {
            layers.add(model.layers().get(i));
        }
        BertConfig config = model.config().withLayers(layers.size());
        progress.update("kept layers " + Arrays.toString(keep), 1, 1);
        return new BertWeights(config, model.embeddings(), layers);
    }

    private static double cosine(float[] a, float[] b, int offset, int length) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = offset; i < offset + length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    /** Indices kept after dropping the {@code drop} lowest, in their original order. */
    private static int[] kept(double[] importance, int drop) {
        boolean[] dropped = new boolean[importance.length];
        for (int i : MaskSelection.lowest(importance, drop)) {
            dropped[i] = true;
        }
        return IntStream.range(0, importance.length).filter(i -> !dropped[i]).toArray();
    }

    private static FloatMatrix dense(Linear l) {
        return l.weights().toDense();
    }

    private static double rowL1(FloatMatrix m, int row) {
        double s = 0;
        for (int c = 0; c < m.cols(); c++) {
            s += Math.abs(m.get(row, c));
        }
        return s;
    }

    private static double colL1(FloatMatrix m, int col) {
        double s = 0;
        for (int r = 0; r < m.rows(); r++) {
            s += Math.abs(m.get(r, col));
        }
        return s;
    }

    private static Linear keepRows(Linear l, int[] rows) {
        FloatMatrix m = dense(l);
        float[] w = new float[rows.length * m.cols()];
        float[] b = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(m.data(), rows[i] * m.cols(), w, i * m.cols(), m.cols());
            b[i] = l.bias()[rows[i]];
        }
        return new Linear(l.name(), new DenseWeights(new FloatMatrix(rows.length, m.cols(), w)), b);
    }

    private static Linear keepCols(Linear l, int[] cols) {
        FloatMatrix m = dense(l);
        float[] w = new float[m.rows() * cols.length];
        for (int r = 0; r < m.rows(); r++) {
            for (int i = 0; i < cols.length; i++) {
                w[r * cols.length + i] = m.get(r, cols[i]);
            }
        }
        return new Linear(l.name(), new DenseWeights(new FloatMatrix(m.rows(), cols.length, w)), l.bias());
    }
}
