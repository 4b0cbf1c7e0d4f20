package dev.sparseinfer.models.variants;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.io.MappedModel;
import dev.sparseinfer.engine.io.ModelLoader;
import dev.sparseinfer.engine.io.packed.PackedModel;
import dev.sparseinfer.models.calibration.Progress;
import dev.sparseinfer.models.packed.Derivation;
import dev.sparseinfer.models.packed.Recipe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Variants of one source model, built once and kept as packed files under
 * {@code CACHE/variants/<variant>-<key>.safetensors}. The key hashes the source model's content, the recipe, the
 * variant's steps and the packed format version: a file is reused exactly when all of them are the same, and a
 * changed model or recipe gets new files instead of stale ones. Files are written to a temporary name and renamed,
 * so an interrupted build leaves nothing that a later run could mistake for a finished variant. Distilled variants
 * are written by {@code distill} to {@link #path}, never built here, and count as cached only when the file's recipe
 * names this source model as its teacher; what is derived from them is rebuilt when {@code distill} rewrites them.
 */
public final class VariantCache {

    private final Path directory;
    private final Path source;
    private final VariantRecipe recipe;
    private final int threads;
    private final String sourceIdentity;
    private LoadedModel dense;

    public VariantCache(Path cacheRoot, Path source, VariantRecipe recipe, int threads) {
        this.directory = cacheRoot.resolve("variants");
        this.source = source;
        this.recipe = recipe;
        this.threads = threads;
        this.sourceIdentity = SourceIdentity.of(source);
    }

    /** Where a variant lives: the source model itself for {@link Variant#DENSE}, else its packed file in the cache. */
    public Path path(Variant variant) {
        if (variant.base().isEmpty()) {
            return source;
        }
        String key = SourceIdentity.hash("packed-format=" + PackedModel.FORMAT_VERSION + "\nsource=" + sourceIdentity
                + "\nsteps=" + variant.steps() + "\n" + recipe.keyText());
        return directory.resolve(variant.name() + "-" + key.substring(0, 16) + ".safetensors");
    }

    public boolean isCached(Variant variant) {
        Path file = path(variant);
        if (variant.distilled()) {
            return Files.isRegularFile(file) && trainedFromSource(file);
        }
        return upToDate(variant, file);
    }

    /**
     * Whether a built file exists and is newer than the distilled file it derives from, if any: distill may rewrite
     * that file under the same name, and what was derived from the old one must then be built again.
     */
    private boolean upToDate(Variant variant, Path file) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        Optional<Variant> ancestor = variant.distilledAncestor();
        if (ancestor.isEmpty()) {
            return true;
        }
        Path trained = path(ancestor.get());
        try {
            return isCached(ancestor.get())
                    && Files.getLastModifiedTime(file).compareTo(Files.getLastModifiedTime(trained)) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether a file {@code distill} wrote records this cache's source model as its teacher. */
    public boolean trainedFromSource(Path file) {
        try (MappedModel model = ModelLoader.open(file)) {
            return sourceIdentity.equals(Recipe.of(model.metadata()).entries().get(SourceIdentity.TEACHER_RECIPE_KEY));
        }
    }

    /** The variant's path, building it (and the variants it derives from) first if the cache lacks it. */
    public Path obtain(Variant variant, Progress progress) {
        Path target = path(variant);
        if (variant.distilled() ? Files.isRegularFile(target) : upToDate(variant, target)) {
            return target;
        }
        if (variant.distilled()) {
            throw SparseInferException.invalidArgument(
                    variant.label() + " is made by distill, not by the variant cache: " + target + " is missing");
        }
        Variant base = variant.base().orElseThrow();
        LoadedModel input = base.base().isEmpty() ? dense() : ModelLoader.load(obtain(base, progress));
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new SparseInferException(
                    SparseInferException.Code.IO,
                    "cannot create the variant cache " + directory + ": " + e.getMessage(),
                    e);
        }
        Derivation derived = variant.pattern().isPresent()
                ? Derivation.prune(
                        input,
                        variant.pruneSpec(recipe.method()).orElseThrow(),
                        recipe.calibration(),
                        threads,
                        (what, done, total) -> progress.update(variant.label() + ": " + what, done, total))
                : Derivation.quantize(input, variant.scheme().orElseThrow());
        derived.write(target);
        return target;
    }

    private LoadedModel dense() {
        if (dense == null) {
            dense = ModelLoader.load(source);
        }
        return dense;
    }
}
