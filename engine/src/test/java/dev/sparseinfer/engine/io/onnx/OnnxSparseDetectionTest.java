package dev.sparseinfer.engine.io.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.Embedding;
import dev.sparseinfer.engine.api.EmbeddingModel;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.engine.format.DenseWeights;
import dev.sparseinfer.engine.format.FloatTensor;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.format.TwoFourWeights;
import dev.sparseinfer.engine.io.MappedModel;
import dev.sparseinfer.engine.io.ModelLoader;
import dev.sparseinfer.engine.io.onnx.SyntheticBertOnnx.Style;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.engine.testing.TinyTokenizer;
import dev.sparseinfer.engine.testing.ZeroedBert;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An ONNX export of a 2:4-pruned model, stored dense and transposed, loads as 2:4 and embeds as it does dense. */
class OnnxSparseDetectionTest {

    private static final BertConfig CONFIG = new BertConfig(21, 8, 2, 2, 12, 16, 2, 1e-7, BertConfig.GELU);
    private static final ModelOptions CPU =
            ModelOptions.defaults().withBackend(BackendKind.CPU).withThreads(1);
    private static final List<String> TEXTS = List.of("the cat sat on the mat.", "a dog running");

    @TempDir
    Path dir;

    @Test
    void anExactly2to4ExportLoadsAs2to4AndEmbedsAsItDoesDense() throws IOException {
        long seed = Seeds.fresh();
        Map<String, FloatTensor> tensors = RandomBert.tensors(CONFIG, new Random(seed));
        for (FloatTensor t : tensors.values()) {
            if (t.name().startsWith("encoder.") && t.name().endsWith(".weight") && t.rank() == 2) {
                ZeroedBert.twoFour(t.name(), t.data(), t.shape()[0], t.shape()[1]);
            }
        }
        Path file = dir.resolve("model.onnx");
        Files.write(file, SyntheticBertOnnx.write(tensors, CONFIG, Style.TORCH_2_0));
        Files.writeString(dir.resolve("tokenizer.json"), TinyTokenizer.json());

        assertEquals(List.of(TwoFourWeights.class), formats(file, true), "seed " + seed);
        assertEquals(List.of(DenseWeights.class), formats(file, false), "seed " + seed);
        List<Embedding> dense = embed(file, CPU.withSparseDetection(false));
        List<Embedding> twoFour = embed(file, CPU);
        for (int t = 0; t < dense.size(); t++) {
            for (int i = 0; i < CONFIG.hiddenSize(); i++) {
                assertEquals(
                        dense.get(t).vector()[i],
                        twoFour.get(t).vector()[i],
                        1e-5,
                        "text " + t + ", dimension " + i + ", seed " + seed);
            }
        }
    }

    /** The distinct formats of the linear layers. */
    private static List<Class<?>> formats(Path model, boolean detect) {
        try (MappedModel mapped = ModelLoader.open(model, detect)) {
            return IntStream.range(0, mapped.weights().layerCount())
                    .mapToObj(i -> mapped.weights().layer(i))
                    .flatMap(l -> l.linears().stream())
                    .map(Linear::weights)
                    .<Class<?>>map(Object::getClass)
                    .distinct()
                    .toList();
        }
    }

    private static List<Embedding> embed(Path model, ModelOptions options) {
        try (EmbeddingModel m = EmbeddingModel.open(model, options)) {
            return m.embed(TEXTS);
        }
    }
}
