package dev.sparseinfer.engine.testing;

import dev.sparseinfer.engine.format.FloatTensor;
import dev.sparseinfer.engine.model.bert.BertCheckpoint;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.model.bert.BertWeights;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Random BERT weights of any size, named as in a Hugging Face checkpoint. */
public final class RandomBert {

    private RandomBert() {}

    public static Map<String, FloatTensor> tensors(BertConfig c, Random random) {
        Map<String, FloatTensor> t = new LinkedHashMap<>();
        int h = c.hiddenSize();
        put(t, random, "embeddings.word_embeddings.weight", 1, c.vocabSize(), h);
        put(t, random, "embeddings.position_embeddings.weight", 0.5, c.maxPositions(), h);
        put(t, random, "embeddings.token_type_embeddings.weight", 0.5, c.typeVocabSize(), h);
        norm(t, random, "embeddings.LayerNorm", h);
        for (int i = 0; i < c.layers(); i++) {
            String p = "encoder.layer." + i + ".";
            linear(t, random, p + "attention.self.query", h, h);
            linear(t, random, p + "attention.self.key", h, h);
            linear(t, random, p + "attention.self.value", h, h);
            linear(t, random, p + "attention.output.dense", h, h);
            norm(t, random, p + "attention.output.LayerNorm", h);
            linear(t, random, p + "intermediate.dense", c.intermediateSize(), h);
            linear(t, random, p + "output.dense", h, c.intermediateSize());
            norm(t, random, p + "output.LayerNorm", h);
        }
        return t;
    }

    public static BertWeights weights(BertConfig c, Random random) {
        return BertCheckpoint.toWeights(tensors(c, random), c, "random BERT");
    }

    private static void linear(Map<String, FloatTensor> t, Random random, String name, int out, int in) {
        put(t, random, name + ".weight", 1 / Math.sqrt(in), out, in);
        put(t, random, name + ".bias", 0.1, out);
    }

    private static void norm(Map<String, FloatTensor> t, Random random, String name, int width) {
        float[] gamma = Seeds.gaussian(random, width, 0.1);
        for (int i = 0; i < width; i++) {
            gamma[i] += 1;
        }
        t.put(name + ".weight", new FloatTensor(name + ".weight", new int[] {width}, gamma));
        put(t, random, name + ".bias", 0.1, width);
    }

    private static void put(Map<String, FloatTensor> t, Random random, String name, double scale, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        t.put(name, new FloatTensor(name, shape, Seeds.gaussian(random, n, scale)));
    }
}
