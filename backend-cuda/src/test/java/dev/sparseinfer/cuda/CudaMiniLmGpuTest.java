package dev.sparseinfer.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.Embedding;
import dev.sparseinfer.engine.api.EmbeddingModel;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.engine.api.Similarity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A real model end to end on the device against the CPU backend, text by text. The model is any file or
 * directory {@link ModelLoader} reads (MiniLM, or one of its pruned and quantised variants), named by the system
 * property {@code sparseinfer.gpu.model}.
 */
@Tag("gpu")
class CudaMiniLmGpuTest {

    private static final List<String> TEXTS = List.of(
            "A man is playing a guitar.",
            "",
            "The quick brown fox jumps over the lazy dog.",
            "Sparse tensor cores skip half of the multiplications in a 2:4 pruned layer.",
            "Ein Satz auf Deutsch, mit Umlauten: Grüße aus Köln.",
            "short",
            "This sentence is deliberately much longer than the others so that the attention kernel sees a sequence "
                    + "of well over a hundred tokens, which exercises the shared-memory sizing and the tiling of the "
                    + "large GEMMs: every encoder layer multiplies these token rows by the query, key, value, output "
                    + "and feed-forward weights, and the pooled result must still match the CPU backend to a cosine "
                    + "similarity of at least 0.999 for every text in the list.");

    @Test
    void everyTextEmbedsLikeOnTheCpu() {
        String property = System.getProperty("sparseinfer.gpu.model");
        Assumptions.assumeTrue(property != null, "no model given (system property sparseinfer.gpu.model)");
        Path path = Path.of(property);
        Assumptions.assumeTrue(Files.exists(path), "sparseinfer.gpu.model names no file: " + path);
        CudaAvailability probe = CudaProbe.system();
        Assumptions.assumeTrue(probe.available(), probe.reason());
        List<Embedding> cpu;
        List<Embedding> cuda;
        List<Embedding> cudaBatched;
        try (EmbeddingModel m =
                EmbeddingModel.open(path, ModelOptions.defaults().withBackend(BackendKind.CPU))) {
            cpu = m.embed(TEXTS);
        }
        try (EmbeddingModel m =
                EmbeddingModel.open(path, ModelOptions.defaults().withBackend(BackendKind.CUDA))) {
            assertTrue(m.backendDescription().startsWith("cuda"), m.backendDescription());
            // Each token count runs eagerly (twice: the arena settles after the first round), then is recorded as
            // a graph, then replays it.
            List<Embedding> round = List.of();
            for (int i = 0; i < 4; i++) {
                round = TEXTS.stream().map(m::embed).toList();
            }
            cuda = round;
            cudaBatched = m.embed(TEXTS);
        }
        for (int i = 0; i < TEXTS.size(); i++) {
            assertEquals(cpu.get(i).tokens(), cuda.get(i).tokens());
            double one = Similarity.cosine(cpu.get(i).vector(), cuda.get(i).vector());
            double batched =
                    Similarity.cosine(cpu.get(i).vector(), cudaBatched.get(i).vector());
            assertTrue(
                    one >= 0.999 && batched >= 0.999,
                    path.getFileName() + " text " + i + ": cosine " + one + " alone, " + batched + " batched");
        }
    }
}
