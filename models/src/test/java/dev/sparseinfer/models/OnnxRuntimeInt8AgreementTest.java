package dev.sparseinfer.models;

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
import org.junit.jupiter.api.Test;

/**
 * ONNX Runtime's int8 exports (the LangChain4j {@code -q} models) run by SparseInfer as int8 w8a8 against ONNX
 * Runtime running the same file, text by text, both mean-pooled and L2-normalised. The two quantise activations
 * differently (per token symmetric int8 here, per tensor asymmetric uint8 there), so the vectors agree closely
 * rather than exactly.
 */
class OnnxRuntimeInt8AgreementTest {

    /**
     * MiniLM's bounds are looser because ONNX Runtime's per-tensor activation rounding alone moves it that far: run
     * weight-only here (the file's int8 weights, fp32 activations) it agrees with ONNX Runtime to a mean cosine of
     * 0.991 (worst 0.970), about as far as ONNX Runtime's int8 run is from the fp32 model; w8a8 measures 0.988
     * (worst 0.957).
     */
    @Test
    void miniLmInt8AgreesWithOnnxRuntime() throws Exception {
        assertAgrees(BuiltinModels.ALL_MINILM_L6_V2_Q, 0.985, 0.95);
    }

    /** e5 is mean-pooled as published. */
    @Test
    void e5Int8AgreesWithOnnxRuntime() throws Exception {
        assertAgrees(BuiltinModels.E5_SMALL_V2_Q, 0.995, 0.98);
    }

    private static void assertAgrees(BuiltinModel builtin, double meanCosine, double worstCosine) throws Exception {
        // Through resolve(), as --model NAME goes: the registry hands out -q models now that they load.
        Path onnx = TestModels.registry().resolve(builtin.name());
        List<String> texts = TestModels.variedTexts();
        List<float[]> reference = onnxRuntime(onnx, onnx.resolveSibling(builtin.tokenizerFileName()), texts);
        try (EmbeddingModel model =
                EmbeddingModel.open(onnx, ModelOptions.defaults().withBackend(BackendKind.CPU))) {
            List<Embedding> ours = model.embed(texts);
            double sum = 0;
            double worst = 1;
            int worstText = -1;
            for (int i = 0; i < texts.size(); i++) {
                double cosine = Similarity.cosine(ours.get(i).vector(), reference.get(i));
                sum += cosine;
                if (cosine < worst) {
                    worst = cosine;
                    worstText = i;
                }
            }
            double mean = sum / texts.size();
            System.out.printf(
                    "%s vs ONNX Runtime (mean pooling): %d texts, mean cosine %.5f, worst %.5f%n",
                    builtin.name(), texts.size(), mean, worst);
            assertTrue(mean >= meanCosine, builtin.name() + ": mean cosine " + mean);
            assertTrue(
                    worst >= worstCosine,
                    builtin.name() + ": cosine " + worst + " for text " + worstText + ": " + texts.get(worstText));
        }
    }

    /** ONNX Runtime's last hidden state, mean-pooled over the attention mask and L2-normalised. */
    private static List<float[]> onnxRuntime(Path onnx, Path tokenizerFile, List<String> texts) throws Exception {
        List<float[]> vectors = new ArrayList<>();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(tokenizerFile);
                OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                OrtSession session = env.createSession(onnx.toString(), options)) {
            for (int from = 0; from < texts.size(); from += 16) {
                Encoding[] batch = tokenizer.batchEncode(texts.subList(from, Math.min(texts.size(), from + 16)));
                for (Encoding e : batch) {
                    // One text per run: ONNX Runtime's dynamic quantisation scales each tensor as a whole, so
                    // padding neighbours in a batch would change a text's result.
                    vectors.add(run(env, session, e));
                }
            }
        }
        return vectors;
    }

    private static float[] run(OrtEnvironment env, OrtSession session, Encoding e) throws Exception {
        long[] mask = e.getAttentionMask();
        try (OnnxTensor ids = OnnxTensor.createTensor(env, new long[][] {e.getIds()});
                OnnxTensor maskT = OnnxTensor.createTensor(env, new long[][] {mask});
                OnnxTensor types = OnnxTensor.createTensor(env, new long[][] {e.getTypeIds()});
                OrtSession.Result result =
                        session.run(Map.of("input_ids", ids, "attention_mask", maskT, "token_type_ids", types))) {
            float[][] hidden = ((float[][][]) result.get(0).getValue())[0];
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
    }
}
