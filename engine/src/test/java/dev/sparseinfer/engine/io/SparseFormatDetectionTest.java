package dev.sparseinfer.engine.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.Embedding;
import dev.sparseinfer.engine.api.EmbeddingModel;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.engine.format.CsrWeights;
import dev.sparseinfer.engine.format.DenseWeights;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.format.LinearWeights;
import dev.sparseinfer.engine.format.TwoFourWeights;
import dev.sparseinfer.engine.io.packed.PackedModel;
import dev.sparseinfer.engine.model.bert.BertLayer;
import dev.sparseinfer.engine.model.bert.BertWeights;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.engine.testing.ZeroedBert;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dense checkpoints pruned elsewhere run in the sparse format their zeros fit, and compute what they did dense. */
class SparseFormatDetectionTest {

    private static final ModelOptions CPU =
            ModelOptions.defaults().withBackend(BackendKind.CPU).withThreads(1);
    private static final List<String> TEXTS = List.of("the cat sat on the mat.", "a dog", "cafe 猫, running!");

    @TempDir
    Path dir;

    @Test
    void anExactly2to4CheckpointLoadsAs2to4AndEmbedsAsThePacked2to4FileOfTheSameWeights() {
        long seed = Seeds.fresh();
        Path hf = dir.resolve("hf");
        ZeroedBert.write(hf, seed, ZeroedBert::twoFour);

        assertEquals(Map.of(TwoFourWeights.class, 12), formats(hf, true), "seed " + seed);
        assertEquals(Map.of(DenseWeights.class, 12), formats(hf, false), "detection off keeps them dense");

        LoadedModel dense = ModelLoader.load(hf);
        Path packed = dir.resolve("two-four.safetensors");
        PackedModel.write(
                new LoadedModel(asTwoFour(dense.weights()), dense.tokenizerJson(), dense.source()), "{}", packed);
        assertClose(embed(packed, CPU), embed(hf, CPU), seed);
    }

    @Test
    void aMostlyZeroCheckpointLoadsAsCsrAndEmbedsAsItDoesDense() {
        long seed = Seeds.fresh();
        ZeroedBert.write(dir, seed, ZeroedBert::firstThreePerRow);

        assertEquals(Map.of(CsrWeights.class, 12), formats(dir, true), "seed " + seed);
        assertEquals(Map.of(DenseWeights.class, 12), formats(dir, false), "detection off keeps them dense");
        assertClose(embed(dir, CPU.withSparseDetection(false)), embed(dir, CPU), seed);
    }

    @Test
    void oneGroupWithThreeNonZerosKeepsItsLayerOutOf2to4() {
        long seed = Seeds.fresh();
        String broken = "encoder.layer.1.intermediate.dense.weight";
        ZeroedBert.write(dir, seed, (name, w, out, in) -> {
            ZeroedBert.twoFour(name, w, out, in);
            if (name.equals(broken)) {
                // The last group of the last row gets a third non-zero where magnitude 2:4 left a zero.
                int zero = w.length - 4;
                while (w[zero] != 0f) {
                    zero++;
                }
                w[zero] = 0.5f;
            }
        });

        Map<String, LinearWeights> byName = new TreeMap<>();
        try (MappedModel mapped = ModelLoader.open(dir)) {
            for (int i = 0; i < mapped.weights().layerCount(); i++) {
                for (Linear l : mapped.weights().layer(i).linears()) {
                    byName.put(l.name() + ".weight", l.weights());
                }
            }
        }
        byName.forEach((name, weights) -> assertEquals(
                name.equals(broken) ? DenseWeights.class : TwoFourWeights.class,
                weights.getClass(),
                name + ", seed " + seed));
    }

    /** How many linear layers come in each format. */
    private static Map<Class<?>, Integer> formats(Path model, boolean detect) {
        Map<Class<?>, Integer> counts = new TreeMap<>((a, b) -> a.getName().compareTo(b.getName()));
        try (MappedModel mapped = ModelLoader.open(model, detect)) {
            for (int i = 0; i < mapped.weights().layerCount(); i++) {
                for (Linear l : mapped.weights().layer(i).linears()) {
                    counts.merge(l.weights().getClass(), 1, Integer::sum);
                }
            }
        }
        return counts;
    }

    private static BertWeights asTwoFour(BertWeights dense) {
        List<BertLayer> layers = new ArrayList<>();
        for (BertLayer l : dense.layers()) {
            layers.add(new BertLayer(
                    twoFour(l.query()),
                    twoFour(l.key()),
                    twoFour(l.value()),
                    twoFour(l.attentionOutput()),
                    l.attentionNorm(),
                    twoFour(l.intermediate()),
                    twoFour(l.output()),
                    l.outputNorm()));
        }
        return new BertWeights(dense.config(), dense.embeddings(), layers);
    }

    private static Linear twoFour(Linear dense) {
        return new Linear(dense.name(), TwoFourWeights.fromDense(dense.weights().toDense()), dense.bias());
    }

    private static List<Embedding> embed(Path model, ModelOptions options) {
        try (EmbeddingModel m = EmbeddingModel.open(model, options)) {
            return m.embed(TEXTS);
        }
    }

    private static void assertClose(List<Embedding> expected, List<Embedding> actual, long seed) {
        for (int t = 0; t < expected.size(); t++) {
            float[] e = expected.get(t).vector();
            float[] a = actual.get(t).vector();
            assertEquals(e.length, a.length);
            for (int i = 0; i < e.length; i++) {
                assertEquals(e[i], a[i], 1e-5, "text " + t + ", dimension " + i + ", seed " + seed);
            }
        }
    }
}
