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
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.engine.api.Similarity;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * all-MiniLM-L6-v2 through our engine against ONNX Runtime running the same ONNX file, text by text. ONNX Runtime
 * is fed by the tokenizer exactly as its tokenizer.json configures it (padded to 128), and its last hidden state
 * is mean-pooled over the attention mask and L2-normalised, as sentence-transformers does.
 */
class MiniLmOnnxRuntimeAgreementTest {

    private static Path onnx;
    private static List<String> texts;
    private static List<float[]> reference;
    private static List<Integer> referenceTokens;

    @BeforeAll
    static void runOnnxRuntime() throws Exception {
        onnx = TestModels.minilm();
        texts = TestModels.variedTexts();
        Path tokenizerFile = onnx.resolveSibling(ModelRegistry.MINILM.tokenizerFileName());
        reference = new ArrayList<>();
        referenceTokens = new ArrayList<>();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(tokenizerFile);
                OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession session = env.createSession(onnx.toString(), options)) {
                for (int from = 0; from < texts.size(); from += 16) {
                    Encoding[] encodings =
                            tokenizer.batchEncode(texts.subList(from, Math.min(texts.size(), from + 16)));
                    runBatch(env, session, encodings);
                }
            }
        }
    }

    private static void runBatch(OrtEnvironment env, OrtSession session, Encoding[] encodings) throws Exception {
        long[][] ids = new long[encodings.length][];
        long[][] mask = new long[encodings.length][];
        long[][] types = new long[encodings.length][];
        for (int i = 0; i < encodings.length; i++) {
            ids[i] = encodings[i].getIds();
            mask[i] = encodings[i].getAttentionMask();
            types[i] = encodings[i].getTypeIds();
        }
        try (OnnxTensor idsT = OnnxTensor.createTensor(env, ids);
                OnnxTensor maskT = OnnxTensor.createTensor(env, mask);
                OnnxTensor typesT = OnnxTensor.createTensor(env, types);
                OrtSession.Result result =
                        session.run(Map.of("input_ids", idsT, "attention_mask", maskT, "token_type_ids", typesT))) {
            float[][][] hidden = (float[][][]) result.get(0).getValue();
            for (int i = 0; i < encodings.length; i++) {
                reference.add(meanPoolNormalized(hidden[i], mask[i]));
                int tokens = 0;
                for (long m : mask[i]) {
                    tokens += (int) m;
                }
                referenceTokens.add(tokens);
            }
        }
    }

    private static float[] meanPoolNormalized(float[][] hidden, long[] mask) {
        double[] mean = new double[hidden[0].length];
        double count = 0;
        for (int t = 0; t < hidden.length; t++) {
            if (mask[t] == 1) {
                count++;
                for (int c = 0; c < mean.length; c++) {
                    mean[c] += hidden[t][c];
                }
            }
        }
        double norm = 0;
        for (int c = 0; c < mean.length; c++) {
            mean[c] /= count;
            norm += mean[c] * mean[c];
        }
        float[] out = new float[mean.length];
        for (int c = 0; c < mean.length; c++) {
            out[c] = (float) (mean[c] / Math.sqrt(norm));
        }
        return out;
    }

    @Test
    void everyTextHasTheSameTokenCountAndEmbeddingAsOnnxRuntime() {
        assertTrue(texts.size() >= 200, "too few test texts: " + texts.size());
        try (EmbeddingModel model =
                EmbeddingModel.open(onnx, ModelOptions.defaults().withBackend(BackendKind.CPU))) {
            List<Embedding> ours = model.embed(texts);
            double worst = 1;
            for (int i = 0; i < texts.size(); i++) {
                assertEquals(
                        referenceTokens.get(i), ours.get(i).tokens(), "token count of text " + i + ": " + texts.get(i));
                double cosine = Similarity.cosine(ours.get(i).vector(), reference.get(i));
                worst = Math.min(worst, cosine);
                assertTrue(cosine >= 0.9999, "cosine " + cosine + " for text " + i + ": " + texts.get(i));
            }
            System.out.printf("MiniLM vs ONNX Runtime: %d texts, worst cosine %.7f%n", texts.size(), worst);
        }
    }

    @Test
    void longTextsAreTruncatedToTheTokenizersLimit() {
        try (EmbeddingModel model =
                EmbeddingModel.open(onnx, ModelOptions.defaults().withBackend(BackendKind.CPU))) {
            assertEquals(128, model.embed("word ".repeat(500)).tokens());
        }
    }

    @Test
    void batchingDoesNotChangeTheVectors() {
        List<String> sample = texts.subList(0, 60);
        try (EmbeddingModel batched = EmbeddingModel.open(
                        onnx,
                        ModelOptions.defaults().withBackend(BackendKind.CPU).withBatchSize(60));
                EmbeddingModel single = EmbeddingModel.open(
                        onnx,
                        ModelOptions.defaults().withBackend(BackendKind.CPU).withBatchSize(1))) {
            List<Embedding> all = batched.embed(sample);
            List<Embedding> oneByOne = single.embed(sample);
            for (int i = 0; i < sample.size(); i++) {
                double cosine =
                        Similarity.cosine(all.get(i).vector(), oneByOne.get(i).vector());
                assertTrue(cosine >= 0.99999, "text " + i + " batched vs alone: cosine " + cosine);
            }
        }
    }
}
