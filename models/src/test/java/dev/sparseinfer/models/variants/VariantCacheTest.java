package dev.sparseinfer.models.variants;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.format.CsrWeights;
import dev.sparseinfer.engine.format.Int8Weights;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.format.TwoFourInt8Weights;
import dev.sparseinfer.engine.format.TwoFourWeights;
import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.io.ModelLoader;
import dev.sparseinfer.engine.io.packed.PackedModel;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.models.ModelInventory;
import dev.sparseinfer.models.calibration.Progress;
import dev.sparseinfer.models.packed.Recipe;
import dev.sparseinfer.models.prune.PruneMethod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's variant cache: each variant built once in its format, reused, and rebuilt when the recipe or the model changes. */
class VariantCacheTest {

    /** Widths in groups of 4, as 2:4 needs. */
    private static final BertConfig CONFIG = new BertConfig(41, 16, 2, 4, 28, 14, 2, 1e-12, BertConfig.GELU);

    @TempDir
    Path dir;

    private Path writeSource(long seed) {
        Path source = dir.resolve("source.safetensors");
        PackedModel.write(
                new LoadedModel(RandomBert.weights(CONFIG, new Random(seed)), "{}", "random"),
                "{\"source\":\"random\"}",
                source);
        return source;
    }

    private static VariantRecipe magnitude() {
        return new VariantRecipe(PruneMethod.MAGNITUDE, List.of("unused by magnitude pruning"), "a test");
    }

    @Test
    void buildsEveryVariantOnceInItsFormatAndReusesIt() throws IOException {
        long seed = Seeds.fresh();
        Path source = writeSource(seed);
        Path cacheRoot = dir.resolve("cache");
        VariantCache cache = new VariantCache(cacheRoot, source, magnitude(), 1);
        Map<String, Path> built = new HashMap<>();
        for (Variant v : Variant.demoSet()) {
            built.put(v.name(), cache.obtain(v, Progress.NONE));
        }
        assertEquals(source, built.get("dense"), "seed " + seed);
        Linear unstructured90 = ModelLoader.load(built.get("unstructured-90"))
                .weights()
                .layers()
                .getFirst()
                .intermediate();
        assertInstanceOf(CsrWeights.class, unstructured90.weights(), "seed " + seed);
        assertEquals(
                0.9,
                ModelInventory.of(ModelLoader.load(built.get("unstructured-90")).weights())
                        .linearSparsity(),
                0.03,
                "seed " + seed + " (rows of 16 and 28 inputs round 90 % per row)");
        assertInstanceOf(TwoFourWeights.class, first(built.get("2of4")).weights(), "seed " + seed);
        assertInstanceOf(Int8Weights.class, first(built.get("w8a8")).weights(), "seed " + seed);
        assertInstanceOf(TwoFourInt8Weights.class, first(built.get("2of4-w8a8")).weights(), "seed " + seed);
        Recipe recipe = Recipe.of(ModelLoader.load(built.get("2of4-w8a8")));
        assertEquals("2:4", recipe.entries().get("prune.pattern"));
        assertEquals("magnitude", recipe.entries().get("prune.method"));
        assertEquals("w8a8", recipe.entries().get("quantize.scheme"));

        FileTime before = Files.getLastModifiedTime(built.get("2of4"));
        Files.setLastModifiedTime(built.get("2of4"), FileTime.fromMillis(before.toMillis() - 60_000));
        FileTime aged = Files.getLastModifiedTime(built.get("2of4"));
        VariantCache again = new VariantCache(cacheRoot, source, magnitude(), 1);
        for (Variant v : Variant.demoSet()) {
            assertTrue(again.isCached(v), v.name());
            assertEquals(built.get(v.name()), again.obtain(v, Progress.NONE), v.name());
        }
        assertEquals(aged, Files.getLastModifiedTime(built.get("2of4")), "a cached variant must not be rebuilt");
    }

    @Test
    void anotherRecipeOrAChangedModelGetsNewFiles() {
        long seed = Seeds.fresh();
        Path source = writeSource(seed);
        Path cacheRoot = dir.resolve("cache");
        Variant twoFour = Variant.demoSet().get(3);
        VariantCache cache = new VariantCache(cacheRoot, source, magnitude(), 1);
        Path first = cache.obtain(twoFour, Progress.NONE);

        VariantCache otherMethod = new VariantCache(
                cacheRoot, source, new VariantRecipe(PruneMethod.WANDA, List.of("some calibration text"), "a test"), 1);
        assertNotEquals(first, otherMethod.path(twoFour));
        assertFalse(otherMethod.isCached(twoFour));

        writeSource(seed + 1);
        VariantCache changedModel = new VariantCache(cacheRoot, source, magnitude(), 1);
        assertNotEquals(first, changedModel.path(twoFour), "seed " + seed);
        assertFalse(changedModel.isCached(twoFour));
    }

    private static Linear first(Path model) {
        return ModelLoader.load(model).weights().layers().getFirst().query();
    }

    @Test
    void aDistilledFileCountsOnlyWhenItsRecipeNamesThisSourceAsTeacher() {
        long seed = Seeds.fresh();
        Path source = writeSource(seed);
        VariantCache cache = new VariantCache(dir.resolve("cache"), source, magnitude(), 1);
        Variant distilled = Variant.distilledDemoSet().getFirst();
        Path start = cache.obtain(distilled.base().orElseThrow(), Progress.NONE);
        Path target = cache.path(distilled);
        assertNotEquals(start, target);
        assertFalse(cache.isCached(distilled));
        SparseInferException refused =
                assertThrows(SparseInferException.class, () -> cache.obtain(distilled, Progress.NONE));
        assertTrue(refused.getMessage().contains("made by distill"), refused.getMessage());

        LoadedModel trained = ModelLoader.load(start);
        PackedModel.write(trained, "{\"" + SourceIdentity.TEACHER_RECIPE_KEY + "\":\"another model\"}", target);
        assertFalse(cache.isCached(distilled), "seed " + seed + ": a file trained from another teacher is ignored");
        PackedModel.write(
                trained,
                "{\"" + SourceIdentity.TEACHER_RECIPE_KEY + "\":\"" + SourceIdentity.of(source) + "\"}",
                target);
        assertTrue(cache.isCached(distilled), "seed " + seed);

        writeSource(seed + 1);
        VariantCache changedModel = new VariantCache(dir.resolve("cache"), source, magnitude(), 1);
        assertNotEquals(target, changedModel.path(distilled), "seed " + seed + ": the key names the teacher");
    }

    @Test
    void aVariantDerivedFromADistilledFileIsBuiltFromItAndRebuiltWhenDistillRewritesIt() throws IOException {
        long seed = Seeds.fresh();
        Path source = writeSource(seed);
        VariantCache cache = new VariantCache(dir.resolve("cache"), source, magnitude(), 1);
        Variant distilled = Variant.distilledDemoSet().get(0);
        Variant quantized = Variant.distilledDemoSet().get(1);
        assertEquals(distilled, quantized.distilledAncestor().orElseThrow());
        assertFalse(cache.isCached(quantized), "nothing to derive it from yet");

        Path trained = cache.path(distilled);
        String teacher = "{\"" + SourceIdentity.TEACHER_RECIPE_KEY + "\":\"" + SourceIdentity.of(source) + "\"}";
        PackedModel.write(
                ModelLoader.load(cache.obtain(distilled.base().orElseThrow(), Progress.NONE)), teacher, trained);
        Files.setLastModifiedTime(trained, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        Path built = cache.obtain(quantized, Progress.NONE);
        assertTrue(cache.isCached(quantized), "seed " + seed);
        assertInstanceOf(TwoFourInt8Weights.class, first(built).weights(), "seed " + seed);

        Files.setLastModifiedTime(built, FileTime.fromMillis(System.currentTimeMillis() - 120_000));
        assertFalse(cache.isCached(quantized), "seed " + seed + ": older than the distilled file it came from");
        cache.obtain(quantized, Progress.NONE);
        assertTrue(
                Files.getLastModifiedTime(built).compareTo(Files.getLastModifiedTime(trained)) > 0,
                "seed " + seed + ": rebuilt");
        assertTrue(cache.isCached(quantized), "seed " + seed);
    }
}
