package dev.sparseinfer.models.train;

/**
 * Linear warm-up to {@code peak} over {@code warmupSteps}, then a decay to zero at {@code totalSteps}: cosine or
 * linear.
 */
public record LearningRateSchedule(double peak, int warmupSteps, int totalSteps, boolean cosine) {

    /** The rate for step {@code step} (0-based). */
    public double at(int step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
        return cosine ? peak * 0.5 * (1 + Math.cos(Math.PI * progress)) : peak * (1 - progress);
    }
}
