package dev.sparseinfer.engine.api;

import java.util.Locale;

/** Which backend runs a model: a fixed one, or {@link #AUTO}, the best one this machine can run. */
public enum BackendKind {
    AUTO,
    CPU,
    CUDA;

    public static BackendKind parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw SparseInferException.invalidArgument("unknown backend '" + name + "' (expected auto, cpu or cuda)");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
