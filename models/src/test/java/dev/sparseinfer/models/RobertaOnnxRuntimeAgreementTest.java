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
import dev.sparseinfer.engine.io.onnx.SyntheticBertOnnx;
import dev.sparseinfer.engine.model.bert.Architecture;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.engine.testing.TinyEncoder;
import dev.sparseinfer.engine.testing.TinySubwordTokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A random RoBERTa encoder written as torch.onnx writes one, its position ids computed in the graph with a CumSum
 * over the tokens that are not padding, run by ONNX Runtime and by SparseInfer from the same file, mean-pooled and
 * L2-normalised: SparseInfer must find the positions the graph computes, a written {@code <pad>} token included.
 */
class RobertaOnnxRuntimeAgreementTest {

    private static final List<String> TEXTS = List.of(
            "the cat.", "the <pad> cat sat on the mat.", "a", "the cat sat on the mat and the cat ran on the mat.");

    @TempDir
    Path dir;

    @Test
    void aRobertaGraphThatComputesItsPositionsRunsAsOnnxRuntimeRunsIt() throws Exception {
        long seed = Seeds.fresh();
        BertConfig config = TinyEncoder.config(Architecture.ROBERTA);
        Path onnx = dir.resolve("model.onnx");
        Files.write(
                onnx,
                SyntheticBertOnnx.write(
                        RandomBert.tensors(config, new Random(seed)),
                        config,
                        SyntheticBertOnnx.Style.TORCH_2_0.withArchitecture(Architecture.ROBERTA)));
        Path tokenizer = dir.resolve("tokenizer.json");
        Files.writeString(tokenizer, TinySubwordTokenizers.byteLevelBpe());

        List<float[]> reference = onnxRuntime(onnx, tokenizer);
        try (EmbeddingModel model =
                EmbeddingModel.open(onnx, ModelOptions.defaults().withBackend(BackendKind.CPU))) {
            List<Embedding> ours = model.embed(TEXTS);
            double sum = 0;
            for (int i = 0; i < TEXTS.size(); i++) {
                double cosine = Similarity.cosine(ours.get(i).vector(), reference.get(i));
                sum += cosine;
                assertTrue(cosine >= 0.99999, "text " + i + ": cosine " + cosine + " (seed " + seed + ")");
            }
            System.out.printf(
                    "synthetic RoBERTa vs ONNX Runtime (mean pooling): %d texts, mean cosine %.7f%n",
                    TEXTS.size(), sum / TEXTS.size());
        }
    }

    /** ONNX Runtime's last hidden state for each text alone, mean-pooled and L2-normalised. */
    private static List<float[]> onnxRuntime(Path onnx, Path tokenizerFile) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(tokenizerFile);
                OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                OrtSession session = env.createSession(onnx.toString(), options)) {
            List<float[]> vectors = new ArrayList<>();
            for (String text : TEXTS) {
                // One text at a time, unpadded: the synthetic graph leaves the attention mask unused.
                Encoding e = tokenizer.encode(text);
                try (OnnxTensor ids = OnnxTensor.createTensor(env, new long[][] {e.getIds()});
                        OnnxTensor mask = OnnxTensor.createTensor(env, new long[][] {e.getAttentionMask()});
                        OrtSession.Result result = session.run(Map.of("input_ids", ids, "attention_mask", mask))) {
                    vectors.add(meanNormalized(((float[][][]) result.get(0).getValue())[0]));
                }
            }
            return vectors;
        }
    }

    private static float[] meanNormalized(float[][] hidden) {
        double[] mean = new double[hidden[0].length];
        for (float[] token : hidden) {
            for (int c = 0; c < mean.length; c++) {
                mean[c] += token[c] / (double) hidden.length;
            }
        }
        double norm = 0;
        for (double v : mean) {
            norm += v * v;
        }
        float[] out = new float[mean.length];
        for (int c = 0; c < mean.length; c++) {
            out[c] = (float) (mean[c] / Math.sqrt(norm));
        }
        return out;
    }
}
