package dev.sparseinfer.models.variants;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.models.calibration.CalibrationSet;
import dev.sparseinfer.models.prune.PruneMethod;
import java.util.List;
import java.util.Locale;

/**
 * How the demo's pruned variants are made: the pruning method and its calibration texts. Part of every cached
 * variant's key, so a different recipe never reuses another recipe's files.
 *
 * @param method      weight-level pruning method
 * @param calibration the calibration texts
 * @param origin      where the texts came from, for people (e.g. "the first 256 shipped sentences")
 */
public record VariantRecipe(PruneMethod method, List<String> calibration, String origin) {

    /**
     * The demo's default: SparseGPT on the first {@link #DEFAULT_CALIBRATION_TEXTS} shipped calibration sentences.
     * SparseGPT's cost grows with the calibration tokens (two Gram matrices per layer input); on 2 cores the full
     * 1,370 sentences take about 8 minutes per variant, so the demo trades some quality for a first run of minutes.
     */
    public static final int DEFAULT_CALIBRATION_TEXTS = 256;

    public VariantRecipe {
        calibration = List.copyOf(calibration);
        if (calibration.isEmpty()) {
            throw SparseInferException.invalidArgument("the variant recipe needs calibration texts");
        }
    }

    public static VariantRecipe demoDefault() {
        return firstShipped(PruneMethod.SPARSEGPT, DEFAULT_CALIBRATION_TEXTS);
    }

    /** {@code method} on the first {@code count} shipped calibration sentences (all of them if there are fewer). */
    public static VariantRecipe firstShipped(PruneMethod method, int count) {
        if (count < 1) {
            throw SparseInferException.invalidArgument("need at least 1 calibration text, got " + count);
        }
        List<String> all = CalibrationSet.defaultTexts();
        List<String> texts = all.subList(0, Math.min(count, all.size()));
        return new VariantRecipe(
                method,
                texts,
                String.format(
                        Locale.ROOT,
                        "the first %,d of the %,d shipped calibration sentences",
                        texts.size(),
                        all.size()));
    }

    /** One line for people: "sparsegpt, calibrated on the first 256 of ...". */
    public String describe() {
        return method.label() + (method.needsCalibration() ? ", calibrated on " + origin : "");
    }

    /** What the cache key hashes: the method and, for methods that read them, the texts themselves. */
    String keyText() {
        return "method=" + method.label() + "\n" + (method.needsCalibration() ? String.join("\n", calibration) : "");
    }
}
