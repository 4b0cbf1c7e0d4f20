package dev.sparseinfer.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.sparseinfer.engine.format.DenseWeights;
import dev.sparseinfer.engine.format.FloatMatrix;
import dev.sparseinfer.engine.io.onnx.OnnxBertLoader;
import dev.sparseinfer.engine.io.onnx.OnnxModel;
import dev.sparseinfer.engine.io.onnx.OnnxNode;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.model.bert.BertWeights;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The ONNX loader on the real export the built-in model ships: architecture and weight layout. */
class MiniLmOnnxLoaderTest {

    @Test
    void loadsAllMiniLmL6V2AsExportedByPyTorch() {
        Path onnx = TestModels.minilm();
        BertWeights weights = OnnxBertLoader.load(onnx);
        assertEquals(new BertConfig(30522, 384, 6, 12, 1536, 512, 2, 1e-12, BertConfig.GELU), weights.config());

        OnnxModel model = OnnxModel.open(onnx);
        OnnxNode query = model.nodes().stream()
                .filter(n -> n.name().equals("/encoder/layer.0/attention/self/query/MatMul"))
                .findFirst()
                .orElseThrow();
        float[] stored = model.initializer(query.input(1)).orElseThrow().toFloats(); // [in, out]
        FloatMatrix loaded = assertInstanceOf(
                        DenseWeights.class, weights.layers().get(0).query().weights())
                .matrix();
        assertEquals(stored[1 * 384 + 0], loaded.get(0, 1));
        assertEquals(stored[7 * 384 + 300], loaded.get(300, 7));
        assertEquals(stored[383 * 384 + 5], loaded.get(5, 383));
    }
}
