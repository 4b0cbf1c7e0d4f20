package dev.sparseinfer.models.evaluate;

import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.Embedding;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.runtime.EmbeddingRunner;
import java.util.List;

/** Runs two models on the same texts (CPU backend) and measures how well the candidate agrees with the reference. */
public final class QualityCheck {

    /** Neighbours compared for top-k agreement. */
    public static final int NEIGHBOURS = 10;

    private QualityCheck() {}

    public static EmbeddingAgreement compare(
            LoadedModel reference, LoadedModel candidate, List<String> texts, int threads) {
        return EmbeddingAgreement.measure(
                embed(reference, texts, threads), embed(candidate, texts, threads), NEIGHBOURS);
    }

    public static List<float[]> embed(LoadedModel model, List<String> texts, int threads) {
        ModelOptions options =
                ModelOptions.defaults().withBackend(BackendKind.CPU).withThreads(threads);
        try (EmbeddingRunner m = EmbeddingRunner.open(model, options)) {
            return m.embed(texts).stream().map(Embedding::vector).toList();
        }
    }
}
