package dev.sparseinfer.models.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.format.CsrInt8Weights;
import dev.sparseinfer.engine.format.CsrWeights;
import dev.sparseinfer.engine.format.DenseWeights;
import dev.sparseinfer.engine.format.FloatMatrix;
import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.engine.format.Int8Weights;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.format.LinearWeights;
import dev.sparseinfer.engine.format.TwoFourInt8Weights;
import dev.sparseinfer.engine.format.TwoFourWeights;
import dev.sparseinfer.engine.testing.RandomWeights;
import dev.sparseinfer.engine.testing.Seeds;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class Int8QuantizerTest {

    @ParameterizedTest
    @EnumSource(Int8Scheme.class)
    void keepsEachFormatsSparsityAndRoundsEveryWeightToItsNearestStep(Int8Scheme scheme) {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        int out = 13;
        int in = 36;
        LinearWeights[] inputs = {
            new DenseWeights(RandomWeights.dense(random, out, in)),
            CsrWeights.fromDense(RandomWeights.unstructured(random, out, in, 0.7)),
            TwoFourWeights.fromDense(RandomWeights.twoFour(random, out, in)),
        };
        Class<?>[] expected = {Int8Weights.class, CsrInt8Weights.class, TwoFourInt8Weights.class};
        for (int f = 0; f < inputs.length; f++) {
            float[] bias = Seeds.gaussian(random, out, 0.1);
            Linear q = Int8Quantizer.quantize(new Linear("layer", inputs[f], bias), scheme);
            String context = inputs[f].formatName() + " (seed=" + seed + ")";
            assertInstanceOf(expected[f], q.weights(), context);
            assertArrayEquals(bias, q.bias(), context);
            FloatMatrix original = inputs[f].toDense();
            FloatMatrix restored = q.weights().toDense();
            for (int r = 0; r < out; r++) {
                double max = 0;
                for (int c = 0; c < in; c++) {
                    max = Math.max(max, Math.abs(original.get(r, c)));
                }
                double step = max / 127;
                for (int c = 0; c < in; c++) {
                    float w = original.get(r, c);
                    float v = restored.get(r, c);
                    assertTrue(
                            Math.abs(w - v) <= step / 2 * (1 + 1e-5),
                            "(" + r + ", " + c + "): " + w + " -> " + v + " " + context);
                    if (w == 0) {
                        assertEquals(0f, v, "a pruned weight stays pruned " + context);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Int8Scheme.class)
    void refusesToQuantizeTwice(Int8Scheme scheme) {
        Linear once = Int8Quantizer.quantize(
                new Linear("layer", new DenseWeights(RandomWeights.dense(new Random(1), 4, 8)), new float[4]), scheme);
        SparseInferException e = assertThrows(SparseInferException.class, () -> Int8Quantizer.quantize(once, scheme));
        assertTrue(e.getMessage().contains("layer is already int8"), e.getMessage());
    }
}
