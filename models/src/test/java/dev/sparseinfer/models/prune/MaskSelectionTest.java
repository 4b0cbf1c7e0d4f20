package dev.sparseinfer.models.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class MaskSelectionTest {

    @Test
    void perRowPrunesExactlyTheTargetCountEvenWithTies() {
        int out = 5;
        int in = 33;
        double[] scores = new double[out * in];
        Random random = new Random();
        for (int i = 0; i < scores.length; i++) {
            scores[i] = random.nextInt(3); // many ties
        }
        for (double sparsity : new double[] {0.1, 0.5, 0.9}) {
            boolean[] prune = MaskSelection.perRow(scores, out, in, sparsity);
            for (int r = 0; r < out; r++) {
                int count = 0;
                for (int i = 0; i < in; i++) {
                    count += prune[r * in + i] ? 1 : 0;
                }
                assertEquals(Math.round(sparsity * in), count, "row " + r + " at " + sparsity);
            }
        }
    }

    @Test
    void twoFourPrunesTheTwoSmallestOfEveryFour() {
        double[] scores = {4, 1, 3, 2, 0, 0, 5, 5};
        assertArrayEquals(
                new boolean[] {false, true, false, true, true, true, false, false},
                MaskSelection.twoFour(scores, 1, 8));
    }
}
