package dev.sparseinfer.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.sparseinfer.engine.tokenizer.TokenizedText;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * ONNX Runtime on a BERT export, fed the same token ids as our engine: batches padded to their longest text with
 * the attention mask set (a batch of one is not padded), all graph optimisations on, intra-op threads fixed,
 * output mean-pooled over the mask and L2-normalised as sentence-transformers does.
 */
final class OnnxRuntimeRunner implements AutoCloseable {

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession.SessionOptions options;
    private final OrtSession session;
    private final boolean takesTypeIds;

    OnnxRuntimeRunner(Path onnx, int threads) throws OrtException {
        options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.setIntraOpNumThreads(threads);
        options.setInterOpNumThreads(1);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        session = env.createSession(onnx.toString(), options);
        takesTypeIds = session.getInputNames().contains("token_type_ids");
    }

    List<float[]> embed(List<TokenizedText> batch) throws OrtException {
        int n = batch.size();
        int length = batch.stream().mapToInt(TokenizedText::length).max().orElse(0);
        long[][] ids = new long[n][length];
        long[][] mask = new long[n][length];
        long[][] types = new long[n][length];
        for (int s = 0; s < n; s++) {
            TokenizedText t = batch.get(s);
            for (int i = 0; i < t.length(); i++) {
                ids[s][i] = t.ids()[i];
                types[s][i] = t.typeIds()[i];
                mask[s][i] = 1;
            }
        }
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(env, ids));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, mask));
            if (takesTypeIds) {
                inputs.put("token_type_ids", OnnxTensor.createTensor(env, types));
            }
            try (OrtSession.Result result = session.run(inputs)) {
                float[][][] hidden = (float[][][]) result.get(0).getValue();
                List<float[]> out = new ArrayList<>(n);
                for (int s = 0; s < n; s++) {
                    out.add(meanPoolNormalized(hidden[s], batch.get(s).length()));
                }
                return out;
            }
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private static float[] meanPoolNormalized(float[][] hidden, int tokens) {
        int width = hidden[0].length;
        double[] mean = new double[width];
        for (int t = 0; t < tokens; t++) {
            for (int c = 0; c < width; c++) {
                mean[c] += hidden[t][c];
            }
        }
        double norm = 0;
        for (int c = 0; c < width; c++) {
            mean[c] /= tokens;
            norm += mean[c] * mean[c];
        }
        float[] v = new float[width];
        double inv = 1 / Math.max(Math.sqrt(norm), 1e-12);
        for (int c = 0; c < width; c++) {
            v[c] = (float) (mean[c] * inv);
        }
        return v;
    }

    @Override
    public void close() throws OrtException {
        session.close();
        options.close();
    }
}
