package dev.sparseinfer.models.variants;

import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.models.prune.PruneMethod;
import dev.sparseinfer.models.prune.PrunePattern;
import dev.sparseinfer.models.prune.PruneSpec;
import java.util.List;
import java.util.Optional;

/**
 * One variant of a dense model: the steps that make it from the dense model, or from another variant (2:4 + int8 is
 * the 2:4 variant quantised, so the costly pruning runs once for both).
 *
 * @param name     short, file-name safe: {@code dense}, {@code unstructured-50}, {@code 2of4-w8a8}, ...
 * @param label    what tables call it
 * @param base     the variant it is derived from; empty for the dense model itself
 * @param pattern  the pruning pattern, if it is pruned here
 * @param sparsity the fraction pruned (0 when not pruned here)
 * @param scheme   the int8 scheme, if it is quantised here
 * @param distilled whether {@code distill} trained it from {@code base} to match the dense model: such variants take
 *                 too long for the cache to build on a first run, so only a file already in the cache is used
 */
public record Variant(
        String name,
        String label,
        Optional<Variant> base,
        Optional<PrunePattern> pattern,
        double sparsity,
        Optional<Int8Scheme> scheme,
        boolean distilled) {

    public static final Variant DENSE =
            new Variant("dense", "dense fp32", Optional.empty(), Optional.empty(), 0, Optional.empty(), false);

    private static final Variant TWO_FOUR = pruned("2of4", "2:4", PrunePattern.TWO_FOUR, 0.5);
    private static final Variant UNSTRUCTURED_90 =
            pruned("unstructured-90", "90% unstructured (CSR)", PrunePattern.UNSTRUCTURED, 0.9);

    /** Pruned from the dense model. */
    public static Variant pruned(String name, String label, PrunePattern pattern, double sparsity) {
        return new Variant(name, label, Optional.of(DENSE), Optional.of(pattern), sparsity, Optional.empty(), false);
    }

    /** {@code base} quantised to int8. */
    public static Variant quantized(String name, String label, Variant base, Int8Scheme scheme) {
        return new Variant(name, label, Optional.of(base), Optional.empty(), 0, Optional.of(scheme), false);
    }

    /** Trained by {@code distill} to match the dense model, starting from the pruned variant {@code start}. */
    public static Variant distilled(String name, String label, Variant start) {
        if (start.pattern().isEmpty()) {
            throw new IllegalArgumentException("distillation starts from a pruned variant, not " + start.name());
        }
        return new Variant(name, label, Optional.of(start), Optional.empty(), 0, Optional.empty(), true);
    }

    /** The variants the demo builds: dense, 50 % and 90 % unstructured, 2:4, w8a8, 2:4 + w8a8. */
    public static List<Variant> demoSet() {
        return List.of(
                DENSE,
                pruned("unstructured-50", "50% unstructured (CSR)", PrunePattern.UNSTRUCTURED, 0.5),
                UNSTRUCTURED_90,
                TWO_FOUR,
                quantized("w8a8", "int8 w8a8", DENSE, Int8Scheme.W8A8),
                quantized("2of4-w8a8", "2:4 + int8 w8a8", TWO_FOUR, Int8Scheme.W8A8));
    }

    /**
     * The distilled variants the demo shows when the cache has them: 2:4 and 90 % unstructured, each trained from the
     * demo's one-shot variant of the same pattern, and the distilled 2:4 quantised to w8a8 (built, since that is quick).
     */
    public static List<Variant> distilledDemoSet() {
        Variant twoFour = distilled("2of4-distilled", "2:4 distilled", TWO_FOUR);
        return List.of(
                twoFour,
                quantized("2of4-distilled-w8a8", "2:4 distilled + int8 w8a8", twoFour, Int8Scheme.W8A8),
                distilled("unstructured-90-distilled", "90% unstructured distilled", UNSTRUCTURED_90));
    }

    /** The distilled variant this one is, or is derived from: a file distill writes, which may change after. */
    public Optional<Variant> distilledAncestor() {
        return distilled ? Optional.of(this) : base.flatMap(Variant::distilledAncestor);
    }

    /** The pruning this variant applies to its base, with the recipe's method. */
    public Optional<PruneSpec> pruneSpec(PruneMethod method) {
        return pattern.map(p -> new PruneSpec(p, sparsity, method));
    }

    /** Every step from the dense model to this one, e.g. {@code prune 2:4 0.5 > quantize w8a8}: part of the cache key. */
    public String steps() {
        String here = pattern.map(p -> "prune " + p.label() + " " + sparsity).orElse("")
                + scheme.map(s -> "quantize " + s.label()).orElse("")
                + (distilled ? "distill" : "");
        String before = base.map(Variant::steps).orElse("");
        return before.isEmpty() ? here : before + " > " + here;
    }
}
