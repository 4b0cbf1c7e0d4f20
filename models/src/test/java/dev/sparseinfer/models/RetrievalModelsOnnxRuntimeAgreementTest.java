package dev.sparseinfer.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.Embedding;
import dev.sparseinfer.engine.api.EmbeddingModel;
import dev.sparseinfer.engine.api.EmbeddingRecipe;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.api.Similarity;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        List<Reference> reference = onnxRuntime(onnx, builtin, texts, recipe.pooling());
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

    private record Reference(int tokens, float[] vector) {}

    private static List<Reference> onnxRuntime(Path onnx, BuiltinModel builtin, List<String> texts, Pooling pooling)
            throws Exception {
        List<Reference> out = new ArrayList<>();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (HuggingFaceTokenizer tokenizer =
                        HuggingFaceTokenizer.newInstance(onnx.resolveSibling(builtin.tokenizerFileName()));
                OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession session = env.createSession(onnx.toString(), options)) {
                for (String text : texts) {
                    Encoding e = tokenizer.encode(text);
                    try (OnnxTensor ids = OnnxTensor.createTensor(env, new long[][] {e.getIds()});
                            OnnxTensor mask = OnnxTensor.createTensor(env, new long[][] {e.getAttentionMask()});
                            OnnxTensor types = OnnxTensor.createTensor(env, new long[][] {e.getTypeIds()});
                            OrtSession.Result result = session.run(
                                    Map.of("input_ids", ids, "attention_mask", mask, "token_type_ids", types))) {
                        float[][] hidden = ((float[][][]) result.get(0).getValue())[0];
                        out.add(new Reference(hidden.length, normalized(pool(hidden, pooling))));
                    }
                }
            }
        }
        return out;
    }

    /** The reference pooling over one unpadded text's last hidden states, in float64. */
    private static double[] pool(float[][] hidden, Pooling pooling) {
        double[] v = new double[hidden[0].length];
        switch (pooling) {
            case CLS -> {
                for (int c = 0; c < v.length; c++) {
                    v[c] = hidden[0][c];
                }
            }
            case MEAN -> {
                for (float[] token : hidden) {
                    for (int c = 0; c < v.length; c++) {
                        v[c] += token[c] / (double) hidden.length;
                    }
                }
            }
            default -> throw new IllegalArgumentException("no built-in model pools by " + pooling);
        }
        return v;
    }

    private static float[] normalized(double[] v) {
        double norm = 0;
        for (double x : v) {
            norm += x * x;
        }
        float[] out = new float[v.length];
        for (int c = 0; c < v.length; c++) {
            out[c] = (float) (v[c] / Math.max(Math.sqrt(norm), 1e-12));
        }
        return out;
    }
}
