package dev.sparseinfer.models.packed;

import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.io.packed.PackedModel;
import dev.sparseinfer.engine.model.bert.BertWeights;
import dev.sparseinfer.engine.tokenizer.TextTokenizer;
import dev.sparseinfer.models.calibration.CalibrationSet;
import dev.sparseinfer.models.calibration.Progress;
import dev.sparseinfer.models.prune.PrunePattern;
import dev.sparseinfer.models.prune.PruneSpec;
import dev.sparseinfer.models.prune.StructuredPruner;
import dev.sparseinfer.models.prune.WeightPruner;
import dev.sparseinfer.models.quantize.Int8Quantizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A model derived from another by one pruning or quantisation step, with the recipe that records the step. The
 * {@code prune} and {@code quantize} commands and the demo's variant cache all derive models through here, so a
 * packed file says how it was made the same way whoever made it.
 */
public record Derivation(LoadedModel input, BertWeights weights, Recipe recipe) {

    /** Prunes {@code input}; {@code calibration} texts are used only by the methods and patterns that need them. */
    public static Derivation prune(LoadedModel input, PruneSpec spec, List<String> calibration, int threads, Progress progress) {
        PrunePattern p = spec.pattern();
        boolean calibrate = p == PrunePattern.LAYERS || (p.isWeightLevel() && spec.method().needsCalibration());
        CalibrationSet set = null;
        if (calibrate) {
            progress.update("tokenising " + calibration.size() + " calibration texts", 0, 1);
            try (TextTokenizer tokenizer = TextTokenizer.fromJson(input.tokenizerJson(), input.source())) {
                set = CalibrationSet.of(calibration, tokenizer);
            }
        }
        BertWeights pruned = p.isWeightLevel()
                ? new WeightPruner(spec, set, threads).prune(input.weights(), progress)
                : StructuredPruner.prune(input.weights(), spec, set, threads, progress);
        Recipe recipe = Recipe.of(input)
                .with("prune.pattern", p.label())
                .with("prune.sparsity", String.format(Locale.ROOT, "%.4f", spec.sparsity()));
        if (p.isWeightLevel()) {
            recipe = recipe.with("prune.method", spec.method().label());
        }
        if (calibrate) {
            recipe = recipe.with("prune.calibration_texts", Integer.toString(calibration.size()));
        }
        return new Derivation(input, pruned, recipe);
    }

    /** Quantises every linear layer of {@code input} to int8, keeping its sparsity. */
    public static Derivation quantize(LoadedModel input, Int8Scheme scheme) {
        return new Derivation(input, Int8Quantizer.quantize(input.weights(), scheme),
                Recipe.of(input).with("quantize.scheme", scheme.label()));
    }

    /** Writes the derived model as a packed file (atomically) and returns it as loaded from there. */
    public LoadedModel write(Path out) {
        LoadedModel result = new LoadedModel(weights, input.tokenizerJson(), out.toString(), input.metadata());
        PackedModel.write(result, recipe.toJson(), out);
        return result;
    }
}
