package dev.sparseinfer.models.prune;

import dev.sparseinfer.engine.api.SparseInferException;
import java.util.Locale;

/** How weight-level pruning scores weights. */
public enum PruneMethod {
    /** Smallest |w|. */
    MAGNITUDE,
    /** Smallest |w| times the L2 norm of its input feature over calibration data (Sun et al. 2023). */
    WANDA,
    /** Layer-wise reconstruction with the inverse Hessian of the calibration inputs (Frantar and Alistarh 2023). */
    SPARSEGPT;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean needsCalibration() {
        return this != MAGNITUDE;
    }

    public static PruneMethod parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw SparseInferException.invalidArgument(
                    "unknown method '" + s + "' (expected magnitude, wanda or sparsegpt)");
        }
    }
}
