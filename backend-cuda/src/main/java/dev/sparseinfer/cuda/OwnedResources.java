package dev.sparseinfer.cuda;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a CUDA object acquired and must release: in reverse order of acquisition, so a context outlives what was
 * made in it. Not thread-safe; its owner guards it.
 */
final class OwnedResources {

    private final Deque<AutoCloseable> owned = new ArrayDeque<>();

    <T extends AutoCloseable> T push(T resource) {
        owned.push(resource);
        return resource;
    }

    boolean isEmpty() {
        return owned.isEmpty();
    }

    /**
     * Releases everything; the first failure is thrown, later ones are attached to it. A {@code pending} failure
     * (the one that made the owner give up) collects the failures of the release and is left for its caller.
     */
    void closeAll(RuntimeException pending) {
        RuntimeException failure = pending;
        while (!owned.isEmpty()) {
            try {
                owned.pop().close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null && failure != pending) {
            throw failure;
        }
    }
}
