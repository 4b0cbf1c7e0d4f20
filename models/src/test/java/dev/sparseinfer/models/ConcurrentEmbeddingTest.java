package dev.sparseinfer.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.Embedding;
import dev.sparseinfer.engine.api.EmbeddingModel;
import dev.sparseinfer.engine.api.ModelOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** One model shared by several application threads gives each caller exactly what it gives one caller alone. */
class ConcurrentEmbeddingTest {

    @Test
    void callersOnManyThreadsGetTheVectorsOfASingleCaller() throws Exception {
        List<String> texts = TestModels.variedTexts().subList(0, 48);
        ModelOptions options = ModelOptions.defaults()
                .withBackend(BackendKind.CPU)
                .withThreads(2)
                .withBatchSize(8);
        try (EmbeddingModel model = EmbeddingModel.open(TestModels.minilm(), options)) {
            List<Embedding> expected = model.embed(texts);
            ExecutorService callers = Executors.newFixedThreadPool(4);
            try {
                List<Future<List<Embedding>>> results = new ArrayList<>();
                for (int caller = 0; caller < 4; caller++) {
                    // Each caller starts at a different batch, so different batches run side by side; the batches
                    // themselves stay the same as the lone caller's. (Not bit for bit: the JIT may compile a
                    // vector reduction between two runs, and its lane order differs from the interpreter's.)
                    int shift = caller * 8;
                    results.add(callers.submit(() -> model.embed(rotated(texts, shift))));
                }
                for (int caller = 0; caller < results.size(); caller++) {
                    List<Embedding> got = results.get(caller).get();
                    List<Embedding> want = rotated(expected, caller * 8);
                    for (int i = 0; i < texts.size(); i++) {
                        assertEquals(want.get(i).tokens(), got.get(i).tokens());
                        assertArrayEquals(
                                want.get(i).vector(), got.get(i).vector(), 1e-6f, "caller " + caller + ", text " + i);
                    }
                }
            } finally {
                callers.shutdownNow();
            }
        }
    }

    private static <T> List<T> rotated(List<T> list, int shift) {
        List<T> out = new ArrayList<>(list.subList(shift % list.size(), list.size()));
        out.addAll(list.subList(0, shift % list.size()));
        return out;
    }
}
