package dev.sparseinfer.cli;

import dev.sparseinfer.engine.api.SparseInferException;
import picocli.CommandLine.Option;

/** {@code --threads N}: CPU worker threads, all cores by default. */
final class ThreadsOption {

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads (default: all cores).")
    Integer threads;

    int value() {
        if (threads == null) {
            return Runtime.getRuntime().availableProcessors();
        }
        if (threads < 1) {
            throw SparseInferException.invalidArgument("--threads must be at least 1, got " + threads);
        }
        return threads;
    }
}
