package dev.sparseinfer.cli;

import dev.sparseinfer.engine.api.SparseInferException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code sparseinfer} command. Exit status: 0 on success, 2 for a usage error, 1 for a runtime error, each
 * error reported as one line on stderr (with the stack trace only under {@code --verbose}).
 */
@Command(
        name = "sparseinfer",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Java inference engine for pruned and quantized Transformers.",
        subcommands = {
            DemoCommand.class,
            DistillCommand.class,
            EmbedCommand.class,
            BenchCommand.class,
            InspectCommand.class,
            ModelsCommand.class,
            PruneCommand.class,
            QuantizeCommand.class,
            ServeCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    static final int EXIT_RUNTIME_ERROR = 1;
    static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        System.exit(run(out, err, args));
    }

    static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler(Main::usageError);
        cli.setExecutionExceptionHandler(Main::runtimeError);
        return cli.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (try --help)");
    }

    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        cli.getErr()
                .println("sparseinfer: " + e.getMessage() + " (see '"
                        + cli.getCommandSpec().qualifiedName() + " --help')");
        return EXIT_USAGE;
    }

    private static int runtimeError(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        boolean verbose = parsed.hasMatchedOption("--verbose")
                || (parsed.subcommand() != null && parsed.subcommand().hasMatchedOption("--verbose"));
        cli.getErr().println("sparseinfer: " + oneLine(e));
        if (verbose) {
            e.printStackTrace(cli.getErr());
        }
        if (e instanceof SparseInferException s && s.code() == SparseInferException.Code.INVALID_ARGUMENT) {
            return EXIT_USAGE;
        }
        return EXIT_RUNTIME_ERROR;
    }

    static String oneLine(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            message = e.getClass().getSimpleName();
        } else if (!(e instanceof SparseInferException)) {
            message = e.getClass().getSimpleName() + ": " + message;
        }
        return message.lines().findFirst().orElse(message);
    }
}
