package dev.sparseinfer.cli;

import picocli.CommandLine.Option;

/** {@code --verbose}: stack traces with errors. Read by {@link Main}'s error handler. */
final class VerboseOption {

    @Option(names = "--verbose", description = "Print stack traces with errors.")
    boolean verbose;
}
