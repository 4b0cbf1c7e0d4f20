package dev.sparseinfer.models.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.backend.TokenBatch;
import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.model.bert.BertWeights;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.engine.tokenizer.TokenizedText;
import dev.sparseinfer.models.prune.PrunePattern;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole distillation runs on a tiny random model: they learn, keep their masks, and resume exactly. */
class DistillerTest {

    /** Widths in groups of 4 for 2:4; 4 heads of 4. */
    private static final BertConfig CONFIG = new BertConfig(30, 16, 2, 4, 24, 12, 2, 1e-12, BertConfig.GELU);

    @TempDir
    Path dir;

    private final long seed = Seeds.fresh();
    private final Random random = new Random(seed);

    @Test
    void resumedRunEndsWithTheSameWeightsAsAnUninterruptedOne() {
        BertWeights teacher = RandomBert.weights(CONFIG, random);
        List<TokenizedText> corpus = corpus(20);
        DistillSettings settings = DistillSettings.defaults(PrunePattern.UNSTRUCTURED, 0.6, 12)
                .withBatch(5, 24)
                .withLearningRate(1e-3)
                .withSeed(seed);
        List<float[]> straight;
        try (Distiller run = new Distiller(teacher, teacher, corpus, settings, 2, "tiny")) {
            run.run(12, null, Duration.ZERO, r -> {});
            straight = values(run);
        }
        Path checkpoint = dir.resolve("run.ckpt");
        try (Distiller first = new Distiller(teacher, teacher, corpus, settings, 2, "tiny")) {
            first.run(5, checkpoint, Duration.ofHours(1), r -> {});
        }
        List<float[]> resumed;
        // Resumed on another thread count: every sum runs in a fixed order, so that changes nothing either.
        try (Distiller second = new Distiller(teacher, teacher, corpus, settings, 1, "tiny")) {
            second.resume(checkpoint);
            assertEquals(5, second.nextStep());
            second.run(12, checkpoint, Duration.ZERO, r -> {});
            resumed = values(second);
            assertEquals(0.6, second.student().sparsity(), 0.02, "seed " + seed);
        }
        for (int i = 0; i < straight.size(); i++) {
            assertArrayEquals(straight.get(i), resumed.get(i), "parameter " + i + ", seed " + seed);
        }
    }

    @Test
    void aRunResumedInsideItsQuantisationAwareStepsEndsAsAnUninterruptedOneWithItsMasksZero() {
        BertWeights teacher = RandomBert.weights(CONFIG, random);
        List<TokenizedText> corpus = corpus(12);
        DistillSettings plain = DistillSettings.defaults(PrunePattern.TWO_FOUR, 0.5, 10)
                .withBatch(4, 24)
                .withLearningRate(1e-2)
                .withSeed(seed);
        DistillSettings aware = plain.withQuantizationAware(Int8Scheme.W8A8, 0.5);
        assertEquals(5, aware.qatStart());
        assertEquals(
                plain.fingerprint(),
                plain.withQuantizationAware(Int8Scheme.W8A8, 0).fingerprint());
        List<float[]> withoutRounding;
        try (Distiller run = new Distiller(teacher, teacher, corpus, plain, 2, "tiny")) {
            run.run(10, null, Duration.ZERO, r -> {});
            withoutRounding = values(run);
        }
        List<float[]> straight;
        try (Distiller run = new Distiller(teacher, teacher, corpus, aware, 2, "tiny")) {
            run.run(10, null, Duration.ZERO, r -> {});
            straight = values(run);
        }
        Path checkpoint = dir.resolve("aware.ckpt");
        try (Distiller first = new Distiller(teacher, teacher, corpus, aware, 2, "tiny")) {
            first.run(7, checkpoint, Duration.ofHours(1), r -> {});
        }
        try (Distiller other = new Distiller(teacher, teacher, corpus, plain, 2, "tiny")) {
            assertThrows(SparseInferException.class, () -> other.resume(checkpoint), "resumed with other settings");
        }
        try (Distiller second = new Distiller(teacher, teacher, corpus, aware, 1, "tiny")) {
            second.resume(checkpoint);
            second.run(10, null, Duration.ZERO, r -> {});
            for (int i = 0; i < straight.size(); i++) {
                assertArrayEquals(straight.get(i), values(second).get(i), "parameter " + i + ", seed " + seed);
            }
            for (Parameter p : second.student().prunable()) {
                for (int j = 0; j < p.value().length; j++) {
                    if (p.pruned()[j]) {
                        assertEquals(0f, p.value()[j], p.name() + "[" + j + "] is pruned, seed " + seed);
                    }
                }
                assertEquals(0.5, p.sparsity(), 1e-9, p.name() + ", seed " + seed);
            }
        }
        boolean differs = false;
        for (int i = 0; i < straight.size(); i++) {
            differs |= !Arrays.equals(straight.get(i), withoutRounding.get(i));
        }
        assertTrue(differs, "the quantisation-aware steps changed nothing, seed " + seed);
    }

    @Test
    void twoFourStudentLearnsTheTeacherAndKeepsTwoOfEveryFourZero() {
        BertWeights teacher = RandomBert.weights(CONFIG, random);
        List<TokenizedText> corpus = corpus(8);
        DistillSettings settings = DistillSettings.defaults(PrunePattern.TWO_FOUR, 0.5, 40)
                .withBatch(8, 40)
                .withLearningRate(1e-2)
                .withSeed(seed);
        List<Double> losses = new ArrayList<>();
        try (Distiller run = new Distiller(teacher, teacher, corpus, settings, 2, "tiny")) {
            run.run(40, null, Duration.ZERO, r -> losses.add(r.loss()));
            for (Parameter p : run.student().prunable()) {
                for (int g = 0; g < p.value().length; g += 4) {
                    int zeros = 0;
                    for (int j = g; j < g + 4; j++) {
                        zeros += p.value()[j] == 0f ? 1 : 0;
                    }
                    assertTrue(zeros >= 2, p.name() + " group " + g / 4 + " has " + zeros + " zeros, seed " + seed);
                }
            }
        }
        assertTrue(
                losses.getLast() < 0.5 * losses.getFirst(),
                "loss went from " + losses.getFirst() + " to " + losses.getLast() + ", seed " + seed);
    }

    @Test
    void theShardsTogetherAddTheGradientOfTheWholeBatch() {
        BertWeights teacher = RandomBert.weights(CONFIG, random);
        BertWeights start = RandomBert.weights(CONFIG, random);
        List<TokenizedText> corpus = corpus(9);
        int[] indices = {0, 1, 2, 3, 4, 5, 6, 7, 8};
        DistillSettings settings = DistillSettings.defaults(PrunePattern.TWO_FOUR, 0.5, 10)
                .withBatch(indices.length, 1000)
                .withSeed(seed);
        try (Distiller run = new Distiller(teacher, start, corpus, settings, 2, "tiny");
                TeacherTargets targets = new TeacherTargets(teacher, start, 1);
                Parallel parallel = new Parallel(1);
                Matmul matmul = new Matmul(1)) {
            assertEquals(Distiller.SHARDS, run.split(indices).size(), "the batch was not split, seed " + seed);
            double sharded = run.accumulate(indices, FakeQuantization.NONE).loss();
            List<float[]> shardedGrads = run.student().parameters().stream()
                    .map(p -> p.grad().clone())
                    .toList();

            run.student().parameters().forEach(Parameter::clearGrad);
            TokenBatch whole = TokenBatch.pack(
                    corpus.stream().map(TokenizedText::ids).toArray(int[][]::new),
                    corpus.stream().map(TokenizedText::typeIds).toArray(int[][]::new));
            TeacherTargets.Targets t = targets.of(whole);
            double once = new MicroBatchLoss(run.student(), settings.loss(), parallel, matmul)
                    .accumulate(t.embedded(), t.layers(), whole, whole.tokens(), indices.length, FakeQuantization.NONE);

            assertEquals(once, sharded, 1e-5 * Math.abs(once), "loss, seed " + seed);
            // One tolerance for all: some gradients are zero up to rounding (a key's bias does not move softmax).
            float scale = 0;
            for (Parameter p : run.student().parameters()) {
                for (float g : p.grad()) {
                    scale = Math.max(scale, Math.abs(g));
                }
            }
            assertTrue(scale > 0, "no gradient, seed " + seed);
            for (int i = 0; i < shardedGrads.size(); i++) {
                Parameter p = run.student().parameters().get(i);
                assertArrayEquals(p.grad(), shardedGrads.get(i), 1e-5f * scale, p.name() + ", seed " + seed);
            }
        }
    }

    private List<TokenizedText> corpus(int sequences) {
        List<TokenizedText> texts = new ArrayList<>();
        for (int s = 0; s < sequences; s++) {
            int[] ids = random.ints(2 + random.nextInt(CONFIG.maxPositions() - 2), 0, CONFIG.vocabSize())
                    .toArray();
            texts.add(new TokenizedText(ids, new int[ids.length]));
        }
        return texts;
    }

    private static List<float[]> values(Distiller run) {
        return run.student().parameters().stream().map(p -> p.value().clone()).toList();
    }
}
