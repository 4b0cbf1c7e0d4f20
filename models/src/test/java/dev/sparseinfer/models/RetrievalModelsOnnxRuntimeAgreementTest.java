package dev.sparseinfer.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.Embedding;
import dev.sparseinfer.engine.api.EmbeddingModel;
import dev.sparseinfer.engine.api.EmbeddingRecipe;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.engine.api.Similarity;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The built-in retrieval models, opened by name, through our engine against ONNX Runtime running the same ONNX file
 * with the pooling each model is meant to be used with: BGE takes its first ({@code [CLS]}) token's last hidden
 * state, E5 the mean over the attention mask, both then L2-normalised. ONNX Runtime gets each text on its own,
 * tokenised by the model's tokenizer.json as it stands, so nothing is padded.
 */
class RetrievalModelsOnnxRuntimeAgreementTest {

    static Stream<BuiltinModel> models() {
        return Stream.of(BuiltinModels.BGE_SMALL_EN_V15, BuiltinModels.BGE_SMALL_ZH_V15, BuiltinModels.E5_SMALL_V2);
    }

    @ParameterizedTest
    @MethodSource("models")
    void everyTextHasTheSameTokenCountAndEmbeddingAsOnnxRuntimeWithTheModelsPooling(BuiltinModel builtin)
            throws Exception {
        List<String> texts = TestModels.variedTexts();
        Path onnx = TestModels.registry().resolve(builtin.name());
        long started = System.nanoTime();
        List<Embedding> ours;
        EmbeddingRecipe recipe;
        try (EmbeddingModel model =
                EmbeddingModel.open(onnx, ModelOptions.defaults().withBackend(BackendKind.CPU))) {
            recipe = model.recipe();
            ours = model.embed(texts);
        }
        assertEquals(builtin.recipe(), recipe, "the recipe read beside the extracted file");
        List<OnnxRuntimeReference.Embedded> reference = OnnxRuntimeReference.embed(
                onnx, onnx.resolveSibling(builtin.tokenizerFileName()), texts, recipe.pooling());
        double sum = 0;
        double worst = 1;
        for (int i = 0; i < texts.size(); i++) {
            String what = builtin.name() + " text " + i + ": " + texts.get(i);
            assertEquals(reference.get(i).tokens(), ours.get(i).tokens(), "token count of " + what);
            double cosine =
                    Similarity.cosine(ours.get(i).vector(), reference.get(i).vector());
            assertTrue(cosine >= 0.9999, "cosine " + cosine + " for " + what);
            sum += cosine;
            worst = Math.min(worst, cosine);
        }
        double mean = sum / texts.size();
        System.out.printf(
                "%s (%s pooling) vs ONNX Runtime: %d texts, token counts equal, mean cosine 1 - %.1e, worst 1 - %.1e,"
                        + " %.0f s%n",
                builtin.name(),
                recipe.pooling().label(),
                texts.size(),
                1 - mean,
                1 - worst,
                (System.nanoTime() - started) / 1e9);
        assertTrue(mean >= 0.99999, builtin.name() + ": mean cosine " + mean);
    }
}
