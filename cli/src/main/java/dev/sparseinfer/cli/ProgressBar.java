package dev.sparseinfer.cli;

import dev.sparseinfer.models.calibration.Progress;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Shows long offline work on a terminal as one line that redraws itself; silent when stderr is not a terminal
 * (pipes, CI logs), where a line per update would only be noise.
 */
final class ProgressBar implements Progress, AutoCloseable {

    private static final int WIDTH = 24;

    private final PrintWriter err;
    private final boolean enabled;
    private final long started = System.nanoTime();
    private boolean drawn;

    private ProgressBar(PrintWriter err, boolean enabled) {
        this.err = err;
        this.enabled = enabled;
    }

    static ProgressBar onTerminal(PrintWriter err) {
        return new ProgressBar(err, System.console() != null && System.console().isTerminal());
    }

    @Override
    public void update(String what, int done, int total) {
        if (!enabled) {
            return;
        }
        int filled = total <= 0 ? 0 : Math.min(WIDTH, done * WIDTH / total);
        String bar = "#".repeat(filled) + "-".repeat(WIDTH - filled);
        err.printf(Locale.ROOT, "\r[%s] %-60.60s %5.1f s", bar, what, (System.nanoTime() - started) / 1e9);
        err.flush();
        drawn = true;
    }

    @Override
    public void close() {
        if (drawn) {
            err.print("\r" + " ".repeat(WIDTH + 72) + "\r");
            err.flush();
        }
    }
}
