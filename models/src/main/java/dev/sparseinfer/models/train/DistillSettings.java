package dev.sparseinfer.models.train;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.models.prune.PrunePattern;
import java.util.Locale;

/**
 * Everything that decides a distillation run's result: with the same teacher, starting model, corpus and settings,
 * a run gives the same weights bit for bit, whether or not it was interrupted and resumed.
 *
 * @param pattern          2:4 (a fixed mask) or unstructured (sparsity rising on {@link SparsitySchedule})
 * @param sparsity         the target fraction of each linear layer's weights pruned (0.5 for 2:4)
 * @param steps            optimiser steps in all
 * @param batchSequences   sequences per step
 * @param microBatchTokens at most this many tokens per forward/backward pass; a step's gradient is summed over its
 *                         micro-batches, so this bounds memory without changing the result
 * @param learningRate     peak learning rate of AdamW
 * @param warmupSteps      linear warm-up steps, then cosine decay to zero
 * @param clipNorm         the joint gradient norm is clipped to this
 * @param rampFraction     unstructured: the fraction of the steps over which sparsity rises to the target
 * @param remaskEvery      unstructured: steps between mask updates while sparsity rises
 * @param seed             decides the order the corpus is visited in
 * @param loss             the weights of the loss terms
 * @param qatScheme        the int8 scheme the result is written in, which the final steps train for; null for fp32
 * @param qatFraction      with a scheme: the fraction of the steps, at the end, that are quantisation-aware
 */
public record DistillSettings(
        PrunePattern pattern,
        double sparsity,
        int steps,
        int batchSequences,
        int microBatchTokens,
        double learningRate,
        int warmupSteps,
        double clipNorm,
        double rampFraction,
        int remaskEvery,
        long seed,
        DistillLoss loss,
        Int8Scheme qatScheme,
        double qatFraction) {

    public DistillSettings {
        if (pattern != PrunePattern.TWO_FOUR && pattern != PrunePattern.UNSTRUCTURED) {
            throw SparseInferException.invalidArgument(
                    "distillation prunes unstructured or 2:4, not " + pattern.label());
        }
        if (!(sparsity > 0 && sparsity < 1)) {
            throw SparseInferException.invalidArgument("sparsity must be in (0, 1), got " + sparsity);
        }
        if (steps < 1 || batchSequences < 1 || microBatchTokens < 1) {
            throw SparseInferException.invalidArgument("steps, batch size and micro-batch tokens must be positive");
        }
        if (!(learningRate > 0)) {
            throw SparseInferException.invalidArgument("learning rate must be positive, got " + learningRate);
        }
        if (!(qatFraction >= 0 && qatFraction <= 1)) {
            throw SparseInferException.invalidArgument(
                    "the quantisation-aware fraction must be in [0, 1], got " + qatFraction);
        }
    }

    /**
     * The defaults for a pattern and step count: batch 64, micro-batches of 2,048 tokens, AdamW at
     * {@link #defaultLearningRate} with 5 %
     * warm-up (the settings a PyTorch run of the same recipe used), gradients clipped at norm 1, unstructured sparsity
     * reached after 60 % of the steps and re-masked every 20 steps.
     */
    public static DistillSettings defaults(PrunePattern pattern, double sparsity, int steps) {
        return new DistillSettings(
                pattern,
                pattern == PrunePattern.TWO_FOUR ? 0.5 : sparsity,
                steps,
                64,
                2048,
                defaultLearningRate(pattern),
                Math.max(1, steps / 20),
                1.0,
                0.6,
                20,
                42,
                DistillLoss.DEFAULT,
                null,
                0);
    }

    /**
     * The peak learning rate a pattern trains best at from its one-shot SparseGPT start: 2e-4 for 2:4, where 5e-4
     * and 1e-3 were behind it after 200 steps, and 1e-3 for unstructured, which at 90 % ended higher after 1,500
     * steps than 2e-4 after 4,000 (bench/results/distillation.md).
     */
    public static double defaultLearningRate(PrunePattern pattern) {
        return pattern == PrunePattern.TWO_FOUR ? 2e-4 : 1e-3;
    }

    public DistillSettings withSteps(int steps) {
        return new DistillSettings(
                pattern,
                sparsity,
                steps,
                batchSequences,
                microBatchTokens,
                learningRate,
                Math.max(1, steps / 20),
                clipNorm,
                rampFraction,
                remaskEvery,
                seed,
                loss,
                qatScheme,
                qatFraction);
    }

    public DistillSettings withBatch(int sequences, int tokens) {
        return new DistillSettings(
                pattern,
                sparsity,
                steps,
                sequences,
                tokens,
                learningRate,
                warmupSteps,
                clipNorm,
                rampFraction,
                remaskEvery,
                seed,
                loss,
                qatScheme,
                qatFraction);
    }

    public DistillSettings withLearningRate(double lr) {
        return new DistillSettings(
                pattern,
                sparsity,
                steps,
                batchSequences,
                microBatchTokens,
                lr,
                warmupSteps,
                clipNorm,
                rampFraction,
                remaskEvery,
                seed,
                loss,
                qatScheme,
                qatFraction);
    }

    public DistillSettings withSeed(long s) {
        return new DistillSettings(
                pattern,
                sparsity,
                steps,
                batchSequences,
                microBatchTokens,
                learningRate,
                warmupSteps,
                clipNorm,
                rampFraction,
                remaskEvery,
                s,
                loss,
                qatScheme,
                qatFraction);
    }

    /** Trains the final {@code fraction} of the steps for {@code scheme} (0: the result is only rounded at the end). */
    public DistillSettings withQuantizationAware(Int8Scheme scheme, double fraction) {
        return new DistillSettings(
                pattern,
                sparsity,
                steps,
                batchSequences,
                microBatchTokens,
                learningRate,
                warmupSteps,
                clipNorm,
                rampFraction,
                remaskEvery,
                seed,
                loss,
                scheme,
                fraction);
    }

    /** How many of the final steps are quantisation-aware: none without a scheme. */
    public int qatSteps() {
        return qatScheme == null ? 0 : (int) Math.round(qatFraction * steps);
    }

    /** The first quantisation-aware step ({@code steps} when there is none). */
    public int qatStart() {
        return steps - qatSteps();
    }

    LearningRateSchedule learningRates() {
        return new LearningRateSchedule(learningRate, warmupSteps, steps, true);
    }

    /**
     * A one-line description, stored in checkpoints so that a resume with other settings is refused. Quantisation-
     * aware steps are named only when there are some, so a plain run's checkpoint keeps its description.
     */
    public String fingerprint() {
        String qat = qatSteps() == 0 ? "" : " qat=" + qatScheme.label() + ":" + qatSteps();
        return String.format(
                        Locale.ROOT,
                        "pattern=%s sparsity=%.4f steps=%d batch=%d microTokens=%d lr=%g warmup=%d clip=%g ramp=%g remask=%d seed=%d loss=%s",
                        pattern.label(),
                        sparsity,
                        steps,
                        batchSequences,
                        microBatchTokens,
                        learningRate,
                        warmupSteps,
                        clipNorm,
                        rampFraction,
                        remaskEvery,
                        seed,
                        loss)
                + qat;
    }
}
