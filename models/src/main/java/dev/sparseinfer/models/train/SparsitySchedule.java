package dev.sparseinfer.models.train;

/**
 * Gradual pruning's cubic schedule (Zhu & Gupta 2017): sparsity rises from {@code initial} to {@code target} as
 * {@code target + (initial - target) (1 - t / rampSteps)^3}, fast at first while there is most redundancy to
 * remove, then slowly, and stays at the target after {@code rampSteps}.
 */
public record SparsitySchedule(double initial, double target, int rampSteps) {

    public double at(int step) {
        if (step >= rampSteps) {
            return target;
        }
        double left = 1 - (double) step / rampSteps;
        return target + (initial - target) * left * left * left;
    }
}
