package dev.sparseinfer.models.prune;

import java.util.Arrays;

/**
 * Chooses which weights to prune from their scores (lower scores go first), with exact counts: ties are broken by
 * position, so a target of k pruned entries is met exactly, never approximately.
 */
public final class MaskSelection {

    private MaskSelection() {}

    /** Prunes {@code round(sparsity * in)} lowest-scored entries of every row of an {@code [out, in]} score matrix. */
    public static boolean[] perRow(double[] scores, int out, int in, double sparsity) {
        boolean[] prune = new boolean[out * in];
        int k = (int) Math.round(sparsity * in);
        Integer[] order = new Integer[in];
        for (int r = 0; r < out; r++) {
            int base = r * in;
            for (int i = 0; i < in; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Double.compare(scores[base + a], scores[base + b]));
            for (int i = 0; i < k; i++) {
                prune[base + order[i]] = true;
            }
        }
        return prune;
    }

    /** Prunes the 2 lowest-scored entries of every group of 4 consecutive columns. */
    public static boolean[] twoFour(double[] scores, int out, int in) {
        boolean[] prune = new boolean[out * in];
        for (int g = 0; g < out * in / 4; g++) {
            markTwoLowest(scores, 4 * g, prune, 4 * g);
        }
        return prune;
    }

    /** Marks the 2 lowest of {@code scores[from .. from+3]} at {@code prune[at .. at+3]}. */
    static void markTwoLowest(double[] scores, int from, boolean[] prune, int at) {
        int lowest = -1;
        int second = -1;
        for (int j = 0; j < 4; j++) {
            double s = scores[from + j];
            if (lowest < 0 || s < scores[from + lowest]) {
                second = lowest;
                lowest = j;
            } else if (second < 0 || s < scores[from + second]) {
                second = j;
            }
        }
        prune[at + lowest] = true;
        prune[at + second] = true;
    }

    /** Indices of the {@code k} lowest scores (ties by index). */
    static int[] lowest(double[] scores, int k) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            out[i] = order[i];
        }
        return out;
    }
}
