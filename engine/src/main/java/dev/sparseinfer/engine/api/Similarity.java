package dev.sparseinfer.engine.api;

/** Comparing embeddings. */
public final class Similarity {

    private Similarity() {}

    /** Cosine similarity, accumulated in float64. */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw SparseInferException.invalidArgument(
                    "cannot compare vectors of " + a.length + " and " + b.length + " values");
        }
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
