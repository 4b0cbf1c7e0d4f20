package dev.sparseinfer.models;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.sparseinfer.engine.api.Pooling;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * ONNX Runtime running an exported encoder one text at a time, tokenised by the model's tokenizer.json as it stands,
 * so nothing is padded (and a quantised graph's per-tensor scales see only that text); its last hidden state pooled
 * and L2-normalised in float64. The reference the agreement tests hold the engine to.
 */
final class OnnxRuntimeReference {

    /** One text's token count and embedding. */
    record Embedded(int tokens, float[] vector) {}

    private OnnxRuntimeReference() {}

    static List<Embedded> embed(Path onnx, Path tokenizerFile, List<String> texts, Pooling pooling) throws Exception {
        List<Embedded> out = new ArrayList<>();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(tokenizerFile);
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
                        out.add(new Embedded(hidden.length, normalized(pool(hidden, pooling))));
                    }
                }
            }
        }
        return out;
    }

    /** The pooling over one unpadded text's last hidden states, in float64. */
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
