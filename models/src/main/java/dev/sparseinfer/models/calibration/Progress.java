package dev.sparseinfer.models.calibration;

/** Reports progress of long offline work (pruning, calibration): step {@code done} of {@code total}. */
@FunctionalInterface
public interface Progress {

    Progress NONE = (what, done, total) -> {};

    void update(String what, int done, int total);
}
