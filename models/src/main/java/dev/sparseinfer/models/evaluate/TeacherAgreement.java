package dev.sparseinfer.models.evaluate;

import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.model.bert.BertWeights;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The mean cosine between a reference model's embeddings and a candidate's on named text sets, with the reference's
 * embeddings computed once: for measuring a model under training every few hundred steps.
 */
public final class TeacherAgreement {

    private final LoadedModel reference;
    private final Map<String, List<String>> sets;
    private final Map<String, List<float[]>> expected = new LinkedHashMap<>();
    private final int threads;

    public TeacherAgreement(LoadedModel reference, Map<String, List<String>> sets, int threads) {
        this.reference = reference;
        this.sets = Map.copyOf(sets);
        this.threads = threads;
        sets.forEach((name, texts) -> expected.put(name, QualityCheck.embed(reference, texts, threads)));
    }

    /** Mean cosine per set, in the order the sets were given; the candidate runs with the reference's recipe. */
    public Map<String, Double> meanCosines(BertWeights candidate) {
        LoadedModel model = new LoadedModel(
                candidate, reference.tokenizerJson(), "candidate", reference.metadata(), reference.recipe());
        Map<String, Double> result = new LinkedHashMap<>();
        expected.forEach((name, vectors) -> result.put(
                name, EmbeddingAgreement.meanCosine(vectors, QualityCheck.embed(model, sets.get(name), threads))));
        return result;
    }
}
