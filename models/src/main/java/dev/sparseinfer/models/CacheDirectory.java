package dev.sparseinfer.models;

import java.nio.file.Path;

/**
 * Where SparseInfer keeps extracted and derived models: the system property {@code sparseinfer.cache}, else
 * {@code $SPARSEINFER_CACHE}, else {@code $XDG_CACHE_HOME/sparseinfer}, else {@code ~/.cache/sparseinfer}.
 */
public final class CacheDirectory {

    private CacheDirectory() {}

    public static Path resolve() {
        String explicit = System.getProperty("sparseinfer.cache", System.getenv("SPARSEINFER_CACHE"));
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "sparseinfer");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "sparseinfer");
    }
}
