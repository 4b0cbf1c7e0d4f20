package dev.sparseinfer.models.packed;

import dev.sparseinfer.engine.format.FloatTable;
import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.engine.format.Int8Table;
import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.io.packed.PackedModel;
import dev.sparseinfer.engine.io.packed.TableFormat;
import dev.sparseinfer.engine.model.bert.BertEmbeddings;
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
public record Derivation(LoadedModel input, BertWeights weights, Recipe recipe, TableFormat tables) {

    /** Prunes {@code input}; {@code calibration} texts are used only by the methods and patterns that need them. */
    public static Derivation prune(
            LoadedModel input, PruneSpec spec, List<String> calibration, int threads, Progress progress) {
        PrunePattern p = spec.pattern();
        boolean calibrate =
                p == PrunePattern.LAYERS || (p.isWeightLevel() && spec.method().needsCalibration());
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
        return new Derivation(input, pruned, recipe, TableFormat.FP32);
    }

    /** Quantises every linear layer of {@code input} to int8, keeping its sparsity; embedding tables stay fp32. */
    public static Derivation quantize(LoadedModel input, Int8Scheme scheme) {
        return quantize(input, scheme, TableFormat.FP32);
    }

    /** Quantises every linear layer of {@code input} to int8, keeping its sparsity, and stores its tables as {@code tables}. */
    public static Derivation quantize(LoadedModel input, Int8Scheme scheme, TableFormat tables) {
        Recipe recipe = Recipe.of(input).with("quantize.scheme", scheme.label());
        if (tables != TableFormat.FP32) {
            recipe = recipe.with("quantize.tables", tables.label());
        }
        return new Derivation(input, Int8Quantizer.quantize(input.weights(), scheme), recipe, tables);
    }

    /**
     * Writes the derived model as a packed file (atomically) and returns it as loaded from there: with int8 tables,
     * the tables it returns are the stored ones dequantised, so what is measured on it is what the file gives.
     */
    public LoadedModel write(Path out) {
        PackedModel.write(
                new LoadedModel(weights, input.tokenizerJson(), out.toString(), input.metadata(), input.recipe()),
                recipe.toJson(),
                tables,
                out);
        BertWeights stored = tables == TableFormat.INT8 ? withInt8Tables(weights) : weights;
        return new LoadedModel(stored, input.tokenizerJson(), out.toString(), input.metadata(), input.recipe());
    }

    private static BertWeights withInt8Tables(BertWeights w) {
        BertEmbeddings e = w.embeddings();
        BertEmbeddings stored = e.withTables(roundTrip(e.word()), roundTrip(e.position()), roundTrip(e.tokenType()));
        return new BertWeights(w.config(), stored, w.layers());
    }

    private static FloatTable roundTrip(FloatTable table) {
        return Int8Table.quantize(table).dequantize();
    }
}
