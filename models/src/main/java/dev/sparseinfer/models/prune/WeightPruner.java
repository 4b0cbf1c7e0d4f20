package dev.sparseinfer.models.prune;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.backend.cpu.CpuBackend;
import dev.sparseinfer.engine.format.CsrWeights;
import dev.sparseinfer.engine.format.DenseWeights;
import dev.sparseinfer.engine.format.FloatMatrix;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.format.LinearWeights;
import dev.sparseinfer.engine.format.TwoFourWeights;
import dev.sparseinfer.engine.model.bert.BertEncoder;
import dev.sparseinfer.engine.model.bert.BertLayer;
import dev.sparseinfer.engine.model.bert.BertWeights;
import dev.sparseinfer.models.calibration.CalibrationSet;
import dev.sparseinfer.models.calibration.InputStatistics;
import dev.sparseinfer.models.calibration.Progress;
import dev.sparseinfer.models.calibration.TappingBackend;
import dev.sparseinfer.models.calibration.TappingBackend.Site;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Unstructured and 2:4 pruning of every linear layer, stored as CSR or 2:4. With a calibration-based method the
 * pruning is fully sequential: the calibration batch is carried through the model layer by layer, and within a
 * layer each group of linear layers (query/key/value, attention output, FFN in, FFN out) is pruned on inputs
 * captured from the model with everything before it already pruned, so each layer adapts to the errors of those
 * before it (the sequential scheme of SparseGPT and Wanda, applied at sub-layer granularity).
 */
public final class WeightPruner {

    /** The order in which a layer's linear layers are pruned, and which input feeds each group. */
    private static final Site[] GROUPS = {Site.ATTENTION_INPUT, Site.ATTENTION_CONTEXT, Site.FFN_INPUT, Site.FFN_HIDDEN
    };

    private final PruneSpec spec;
    private final CalibrationSet calibration;
    private final int threads;

    /** {@code calibration} may be null for magnitude pruning. */
    public WeightPruner(PruneSpec spec, CalibrationSet calibration, int threads) {
        if (!spec.pattern().isWeightLevel()) {
            throw new IllegalArgumentException(spec.pattern() + " is not a weight-level pattern");
        }
        if (spec.method().needsCalibration() && calibration == null) {
            throw SparseInferException.invalidArgument(spec.method().label() + " needs calibration texts");
        }
        this.spec = spec;
        this.calibration = calibration;
        this.threads = threads;
    }

    public BertWeights prune(BertWeights model, Progress progress) {
        List<BertLayer> layers = new ArrayList<>(model.layers());
        boolean calibrated = spec.method().needsCalibration();
        try (CpuBackend cpu = new CpuBackend(threads)) {
            float[] hidden = calibrated ? new BertEncoder(model, cpu).hiddenStates(calibration.batch(), 0) : null;
            float[] denseHidden = hidden;
            for (int l = 0; l < layers.size(); l++) {
                progress.update(
                        "pruning layer " + (l + 1) + "/" + layers.size() + " ("
                                + spec.method().label() + ")",
                        l,
                        layers.size());
                for (Site site : GROUPS) {
                    Inputs x = calibrated
                            ? new Inputs(
                                    capture(cpu, withLayers(model, layers), l, hidden, site),
                                    capture(cpu, model, l, denseHidden, site))
                            : null;
                    layers.set(l, pruneGroup(layers.get(l), site, x));
                }
                if (calibrated) {
                    hidden = new BertEncoder(withLayers(model, layers), cpu)
                            .runLayers(l, l + 1, hidden, calibration.batch());
                    denseHidden = new BertEncoder(model, cpu).runLayers(l, l + 1, denseHidden, calibration.batch());
                }
            }
        }
        progress.update("pruned " + layers.size() + " layers", layers.size(), layers.size());
        return withLayers(model, layers);
    }

    private static BertWeights withLayers(BertWeights model, List<BertLayer> layers) {
        return new BertWeights(model.config(), model.embeddings(), layers);
    }

    /** The input of {@code site} in layer {@code l}, given the layer's input {@code hidden}. */
    private float[] capture(CpuBackend cpu, BertWeights current, int l, float[] hidden, Site site) {
        if (site == Site.ATTENTION_INPUT) {
            return hidden;
        }
        float[][] captured = new float[1][];
        TappingBackend tapped = new TappingBackend(cpu, current, (layer, at, x, rows, cols) -> {
            if (at == site) {
                captured[0] = x;
                // The rest of the layer would be computed for nothing.
                throw InputSeen.INSTANCE;
            }
        });
        try {
            new BertEncoder(current, tapped).runLayers(l, l + 1, hidden, calibration.batch());
        } catch (InputSeen expected) {
            return captured[0];
        }
        throw new IllegalStateException("layer " + l + " ran without reading its " + site + " input");
    }

    /** Ends a pass once the input it ran for has been seen. */
    private static final class InputSeen extends RuntimeException {

        static final InputSeen INSTANCE = new InputSeen();

        private InputSeen() {
            super(null, null, false, false);
        }
    }

    /**
     * One site's calibration inputs in the model being pruned and in the dense model.
     */
    private record Inputs(float[] pruned, float[] dense) {}

    private BertLayer pruneGroup(BertLayer l, Site site, Inputs x) {
        return switch (site) {
            case ATTENTION_INPUT -> {
                Scorer scorer = scorer(x, l.query().inFeatures());
                yield new BertLayer(
                        prune(l.query(), scorer),
                        prune(l.key(), scorer),
                        prune(l.value(), scorer),
                        l.attentionOutput(),
                        l.attentionNorm(),
                        l.intermediate(),
                        l.output(),
                        l.outputNorm());
            }
            case ATTENTION_CONTEXT ->
                new BertLayer(
                        l.query(),
                        l.key(),
                        l.value(),
                        prune(l.attentionOutput(), scorer(x, l.attentionOutput().inFeatures())),
                        l.attentionNorm(),
                        l.intermediate(),
                        l.output(),
                        l.outputNorm());
            case FFN_INPUT ->
                new BertLayer(
                        l.query(),
                        l.key(),
                        l.value(),
                        l.attentionOutput(),
                        l.attentionNorm(),
                        prune(l.intermediate(), scorer(x, l.intermediate().inFeatures())),
                        l.output(),
                        l.outputNorm());
            case FFN_HIDDEN ->
                new BertLayer(
                        l.query(),
                        l.key(),
                        l.value(),
                        l.attentionOutput(),
                        l.attentionNorm(),
                        l.intermediate(),
                        prune(l.output(), scorer(x, l.output().inFeatures())),
                        l.outputNorm());
        };
    }

    /**
     * What one input's statistics let each method do; computed once per input, shared by the layers reading it.
     *
     * @param inputMean the input's mean over calibration tokens, for bias correction (null without calibration)
     */
    private record Scorer(
            double[] inputNorms, SparseGpt.Factor factor, double[] cross, double[] inputMean, double[] denseMean) {}

    private Scorer scorer(Inputs x, int in) {
        if (x == null) {
            return new Scorer(null, null, null, null, null);
        }
        int rows = x.pruned().length / in;
        double[] mean = InputStatistics.mean(x.pruned(), rows, in);
        double[] denseMean = InputStatistics.mean(x.dense(), rows, in);
        return switch (spec.method()) {
            case MAGNITUDE -> new Scorer(null, null, null, mean, denseMean);
            case WANDA -> new Scorer(InputStatistics.squaredNorms(x.pruned(), rows, in), null, null, mean, denseMean);
            case SPARSEGPT ->
                new Scorer(
                        null,
                        SparseGpt.factor(InputStatistics.gram(x.pruned(), rows, in), in),
                        InputStatistics.crossGram(x.dense(), x.pruned(), rows, in),
                        mean,
                        denseMean);
        };
    }

    private Linear prune(Linear linear, Scorer scorer) {
        LinearWeights weights = linear.weights();
        if (!(weights instanceof DenseWeights)) {
            throw SparseInferException.invalidArgument(linear.name() + " is already " + weights.formatName()
                    + "; weight-level pruning starts from a dense model");
        }
        FloatMatrix dense = weights.toDense();
        int out = dense.rows();
        int in = dense.cols();
        boolean twoFour = spec.pattern() == PrunePattern.TWO_FOUR;
        if (twoFour && in % 4 != 0) {
            throw SparseInferException.invalidArgument(
                    linear.name() + " has " + in + " inputs, not a multiple of 4: cannot be 2:4");
        }
        double[] w = new double[out * in];
        IntStream.range(0, w.length).forEach(i -> w[i] = dense.data()[i]);
        switch (spec.method()) {
            case MAGNITUDE -> applyMask(w, select(magnitudeScores(w), out, in));
            case WANDA -> applyMask(w, select(wandaScores(w, out, in, scorer.inputNorms()), out, in));
            case SPARSEGPT -> {
                double[] target = SparseGpt.teacherTarget(w, out, scorer.cross(), scorer.factor());
                System.arraycopy(target, 0, w, 0, w.length);
                SparseGpt.prune(w, out, scorer.factor(), twoFour, spec.sparsity());
            }
        }
        float[] pruned = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            pruned[i] = (float) w[i];
        }
        FloatMatrix result = new FloatMatrix(out, in, pruned);
        float[] bias = scorer.inputMean() == null
                ? linear.bias()
                : correctedBias(linear.bias(), dense, scorer.denseMean(), result, scorer.inputMean());
        return new Linear(
                linear.name(), twoFour ? TwoFourWeights.fromDense(result) : CsrWeights.fromDense(result), bias);
    }

    /**
     * Bias correction (as Nagel et al. 2019 do for quantisation): pruning shifts each output's mean over the
     * calibration tokens by {@code (W - W') E[x]}; adding that shift back to the bias removes it at no run-time cost.
     */
    private static float[] correctedBias(
            float[] bias, FloatMatrix before, double[] denseMean, FloatMatrix after, double[] inputMean) {
        int in = before.cols();
        float[] corrected = new float[bias.length];
        for (int o = 0; o < bias.length; o++) {
            double shift = 0;
            for (int i = 0; i < in; i++) {
                shift += before.data()[o * in + i] * denseMean[i] - after.data()[o * in + i] * inputMean[i];
            }
            corrected[o] = (float) (bias[o] + shift);
        }
        return corrected;
    }

    private boolean[] select(double[] scores, int out, int in) {
        return spec.pattern() == PrunePattern.TWO_FOUR
                ? MaskSelection.twoFour(scores, out, in)
                : MaskSelection.perRow(scores, out, in, spec.sparsity());
    }

    private static double[] magnitudeScores(double[] w) {
        double[] s = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            s[i] = Math.abs(w[i]);
        }
        return s;
    }

    /** Wanda's score |W_ij| * ||X_j||_2, compared within each output row. */
    private static double[] wandaScores(double[] w, int out, int in, double[] squaredNorms) {
        double[] s = new double[w.length];
        for (int r = 0; r < out; r++) {
            for (int j = 0; j < in; j++) {
                s[r * in + j] = Math.abs(w[r * in + j]) * Math.sqrt(squaredNorms[j]);
            }
        }
        return s;
    }

    private static void applyMask(double[] w, boolean[] prune) {
        for (int i = 0; i < w.length; i++) {
            if (prune[i]) {
                w[i] = 0;
            }
        }
    }
}
