package dev.sparseinfer.models.evaluate;

import dev.sparseinfer.engine.api.Similarity;
import dev.sparseinfer.engine.api.SparseInferException;
import java.util.List;

/**
 * How close a candidate model's embeddings are to a reference model's on the same texts: the mean (and worst)
 * cosine between the two vectors of each text, and top-k neighbour agreement, the mean overlap of each text's k
 * nearest other texts under the two models (what a retrieval user would notice).
 *
 * @param meanCosine        mean over texts of cos(reference_i, candidate_i)
 * @param minCosine         the worst text
 * @param neighbourAgreement mean over texts of |topK_ref(i) ∩ topK_cand(i)| / k
 * @param k                 neighbours compared
 */
public record EmbeddingAgreement(double meanCosine, double minCosine, double neighbourAgreement, int k) {

    public static EmbeddingAgreement measure(List<float[]> reference, List<float[]> candidate, int k) {
        if (reference.size() != candidate.size() || reference.size() <= k) {
            throw SparseInferException.invalidArgument(
                    "need the same number of texts, more than " + k + ", from both models");
        }
        int n = reference.size();
        double sum = 0;
        double min = 1;
        for (int i = 0; i < n; i++) {
            double c = Similarity.cosine(reference.get(i), candidate.get(i));
            sum += c;
            min = Math.min(min, c);
        }
        double agreement = 0;
        for (int i = 0; i < n; i++) {
            boolean[] refTop = topK(reference, i, k);
            boolean[] candTop = topK(candidate, i, k);
            int shared = 0;
            for (int j = 0; j < n; j++) {
                shared += refTop[j] && candTop[j] ? 1 : 0;
            }
            agreement += (double) shared / k;
        }
        return new EmbeddingAgreement(sum / n, min, agreement / n, k);
    }

    /** The mean over texts of cos(reference_i, candidate_i). */
    public static double meanCosine(List<float[]> reference, List<float[]> candidate) {
        double sum = 0;
        for (int i = 0; i < reference.size(); i++) {
            sum += Similarity.cosine(reference.get(i), candidate.get(i));
        }
        return sum / reference.size();
    }

    /** The k texts most similar to text i (itself excluded), as a membership mask; ties go to the lower index. */
    private static boolean[] topK(List<float[]> vectors, int i, int k) {
        int n = vectors.size();
        double[] sims = new double[n];
        for (int j = 0; j < n; j++) {
            sims[j] = j == i ? Double.NEGATIVE_INFINITY : Similarity.cosine(vectors.get(i), vectors.get(j));
        }
        boolean[] top = new boolean[n];
        for (int picked = 0; picked < k; picked++) {
            int best = -1;
            for (int j = 0; j < n; j++) {
                if (!top[j] && j != i && (best < 0 || sims[j] > sims[best])) {
                    best = j;
                }
            }
            top[best] = true;
        }
        return top;
    }
}
