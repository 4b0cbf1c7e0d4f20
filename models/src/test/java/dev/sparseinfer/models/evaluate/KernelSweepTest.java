package dev.sparseinfer.models.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.backend.cpu.CpuBackend;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.models.calibration.Progress;
import dev.sparseinfer.models.evaluate.KernelSweep.Point;
import dev.sparseinfer.models.evaluate.KernelSweep.Shape;
import dev.sparseinfer.models.evaluate.RandomLayers.Format;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The kernel sweep: one timed point per format and token count, speedups against dense, and CSR's crossover. */
class KernelSweepTest {

    private static List<Point> csr(double[] sparsities, double[] speedups) {
        List<Point> points = new ArrayList<>(List.of(new Point("cpu", 8, 8, 1, Format.dense(false), 1, 1, 1, 1)));
        for (int i = 0; i < sparsities.length; i++) {
            points.add(new Point("cpu", 8, 8, 1, Format.csr(sparsities[i], false), 1 / speedups[i], 1, speedups[i], 1));
            // int8 and 2:4 points never move the crossover, however fast they are
            points.add(new Point("cpu", 8, 8, 1, Format.csr(sparsities[i], true), 0.01, 1, 100, 1));
        }
        points.add(new Point("cpu", 8, 8, 1, Format.twoFour(false), 0.01, 1, 100, 1));
        return points;
    }

    @Test
    void crossoverIsInterpolatedWhereCsrStartsToWinForGood() {
        Random random = new Random(Seeds.fresh());
        double lose = 0.5 + 0.4 * random.nextDouble();
        double win = 1.1 + random.nextDouble();
        Optional<Double> c = KernelSweep.crossover(csr(new double[] {0.5, 0.7, 0.9}, new double[] {0.4, lose, win}));
        double expected = 0.7 + (1 - lose) / (win - lose) * 0.2;
        assertEquals(expected, c.orElseThrow(), 1e-12);

        // a win below a loss does not count: CSR must stay ahead from the crossover on
        assertEquals(
                0.85,
                KernelSweep.crossover(csr(new double[] {0.5, 0.7, 0.8, 0.9}, new double[] {1.5, 0.5, 0.5, 1.5}))
                        .orElseThrow(),
                1e-12);
        assertEquals(Optional.empty(), KernelSweep.crossover(csr(new double[] {0.5, 0.9}, new double[] {0.2, 0.9})));
        assertEquals(
                0.5,
                KernelSweep.crossover(csr(new double[] {0.5, 0.9}, new double[] {1.2, 3}))
                        .orElseThrow());
    }

    @Test
    void timesEveryFormatAtEveryTokenCountAgainstDense() {
        long seed = Seeds.fresh();
        List<Format> formats = List.of(Format.csr(0.75, false), Format.twoFour(true), Format.dense(true));
        List<Point> points;
        try (CpuBackend cpu = new CpuBackend(1)) {
            points = KernelSweep.run(cpu, List.of(new Shape(16, 12)), List.of(1, 5), formats, 3, seed, Progress.NONE);
        }
        assertEquals(8, points.size(), "dense plus three formats at two token counts");
        for (Point p : points) {
            assertTrue(p.medianMs() > 0 && p.p90Ms() >= p.medianMs(), p.toString());
            assertEquals(3, p.samples());
            assertEquals("16x12", p.shape());
        }
        List<Point> dense = points.stream()
                .filter(p -> p.format().equals(Format.dense(false)))
                .toList();
        assertEquals(List.of(1, 5), dense.stream().map(Point::tokens).toList());
        dense.forEach(p -> assertEquals(1.0, p.speedup(), 1e-12));
        for (Point p : points) {
            Point d = dense.stream()
                    .filter(q -> q.tokens() == p.tokens())
                    .findFirst()
                    .orElseThrow();
            assertEquals(d.medianMs() / p.medianMs(), p.speedup(), 1e-9, p.toString());
        }
    }

    @Test
    void formatLabelsReadBack() {
        for (Format f : List.of(
                Format.dense(false),
                Format.dense(true),
                Format.twoFour(false),
                Format.twoFour(true),
                Format.csr(0.85, false),
                Format.csr(0.95, true))) {
            assertEquals(f, Format.parse(f.label()), f.label());
        }
        assertEquals("csr-90+w8a8", Format.csr(0.9, true).label());
        assertEquals("w8a8", Format.dense(true).label());
    }
}
