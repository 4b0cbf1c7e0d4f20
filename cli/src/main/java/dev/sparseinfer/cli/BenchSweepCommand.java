package dev.sparseinfer.cli;

import dev.sparseinfer.cli.report.JsonOutput;
import dev.sparseinfer.cli.report.ReportDirectory;
import dev.sparseinfer.cli.report.SweepReport;
import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.backend.Backend;
import dev.sparseinfer.engine.backend.BackendSelection;
import dev.sparseinfer.engine.io.MappedModel;
import dev.sparseinfer.engine.io.ModelLoader;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.models.ModelRegistry;
import dev.sparseinfer.models.evaluate.AvailableBackends;
import dev.sparseinfer.models.evaluate.KernelSweep;
import dev.sparseinfer.models.evaluate.KernelSweep.Shape;
import dev.sparseinfer.models.evaluate.RandomLayers.Format;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "sweep",
        mixinStandardHelpOptions = true,
        header = "Kernel-level speedup over dense of one linear layer in every sparse and int8 format.",
        description = "CSR across sparsities, 2:4, int8 w8a8 and their combinations, at an LLM-sized shape and a "
                + "model's own shapes, for several token counts, on every available backend; reports the sparsity "
                + "from which CSR beats dense.")
final class BenchSweepCommand implements Callable<Integer> {

    @Option(
            names = "--shapes",
            paramLabel = "INxOUT,...",
            split = ",",
            defaultValue = "4096x4096",
            description = "Layer shapes, inputs x outputs (default: ${DEFAULT-VALUE}, plus the --model's own shapes).")
    List<String> shapes;

    @Option(
            names = "--model",
            paramLabel = "SPEC",
            defaultValue = "minilm",
            description = "Also sweep this model's layer shapes (default: ${DEFAULT-VALUE}; 'none' for --shapes only).")
    String model;

    @Option(
            names = "--tokens",
            paramLabel = "N,...",
            split = ",",
            defaultValue = "1,32,128",
            description = "Token counts, rows of the input (default: ${DEFAULT-VALUE}).")
    List<Integer> tokens;

    @Option(
            names = "--sparsities",
            paramLabel = "F,...",
            split = ",",
            defaultValue = "0.5,0.6,0.7,0.75,0.8,0.85,0.9,0.95",
            description = "CSR sparsities, in (0, 1) (default: ${DEFAULT-VALUE}).")
    List<Double> sparsities;

    @Option(names = "--no-int8", description = "Leave out the w8a8 formats (halves the run time).")
    boolean noInt8;

    @Option(
            names = "--runs",
            paramLabel = "N",
            defaultValue = "9",
            description = "Timed calls per configuration; medians are over these (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(
            names = "--backend",
            paramLabel = "all|cpu|cuda",
            defaultValue = "all",
            description = "Backends to sweep (default: ${DEFAULT-VALUE} available).")
    String backend;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "1",
            description = "Seed of the random weights and inputs (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    ThreadsOption threads;

    @Mixin
    PrecisionOption precision;

    @Option(
            names = "--json",
            paramLabel = "FILE",
            description = "Also write the results as JSON (format in docs/benchmarks.md).")
    Path json;

    @Option(
            names = "--report",
            paramLabel = "DIR",
            description = "Also write sweep.md with tables and charts (PNG and SVG) into DIR.")
    Path report;

    @Mixin
    VerboseOption verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (runs < 1) {
            throw SparseInferException.invalidArgument("--runs must be at least 1, got " + runs);
        }
        for (int t : tokens) {
            if (t < 1) {
                throw SparseInferException.invalidArgument("--tokens must be at least 1, got " + t);
            }
        }
        for (double s : sparsities) {
            if (!(s > 0 && s < 1)) {
                throw SparseInferException.invalidArgument("--sparsities must be in (0, 1), got " + s);
            }
        }
        List<Shape> layerShapes = layerShapes();
        List<Format> formats = formats();
        ReportDirectory reportDir = report == null ? null : ReportDirectory.prepare(report);
        JsonOutput jsonOut = json == null ? null : JsonOutput.checked(json);
        List<BackendKind> kinds = backends();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();

        List<KernelSweep.Point> points = new ArrayList<>();
        for (BackendKind kind : kinds) {
            BackendSelection selection = BackendSelection.select(kind, threads.value(), precision.value());
            selection.notice().ifPresent(n -> err.println("sparseinfer: " + n));
            try (Backend b = selection.backend();
                    ProgressBar progress = ProgressBar.onTerminal(err)) {
                points.addAll(KernelSweep.run(b, layerShapes, tokens, formats, runs, seed, progress));
            }
        }
        SweepReport result = new SweepReport(points, threads.value(), runs);
        result.print(out);
        if (jsonOut != null) {
            jsonOut.write(result.json(), out);
            err.println("sparseinfer: wrote " + json);
        }
        if (reportDir != null) {
            result.writeTo(reportDir);
            err.println("sparseinfer: wrote " + reportDir.path().resolve("sweep.md"));
        }
        return 0;
    }

    private List<Shape> layerShapes() {
        Set<Shape> all = new LinkedHashSet<>();
        for (String s : shapes) {
            try {
                all.add(Shape.parse(s));
            } catch (IllegalArgumentException e) {
                throw SparseInferException.invalidArgument("--shapes: " + e.getMessage());
            }
        }
        if (!model.equals("none")) {
            BertConfig c;
            try (MappedModel mapped = ModelLoader.open(ModelRegistry.standard().resolve(model))) {
                c = mapped.weights().config();
            }
            all.add(new Shape(c.hiddenSize(), c.hiddenSize()));
            all.add(new Shape(c.hiddenSize(), c.intermediateSize()));
            all.add(new Shape(c.intermediateSize(), c.hiddenSize()));
        }
        return List.copyOf(all);
    }

    private List<Format> formats() {
        List<Format> formats = new ArrayList<>();
        for (boolean int8 : noInt8 ? new boolean[] {false} : new boolean[] {false, true}) {
            formats.add(Format.dense(int8));
            formats.add(Format.twoFour(int8));
            sparsities.stream().distinct().sorted().forEach(s -> formats.add(Format.csr(s, int8)));
        }
        return formats;
    }

    /** {@code all}: the available ones, saying on stderr why a faster one is missing; else the one named. */
    private List<BackendKind> backends() {
        if (!backend.equals("all")) {
            return List.of(BackendKind.parse(backend));
        }
        AvailableBackends available = AvailableBackends.detect();
        available.notice().ifPresent(n -> spec.commandLine().getErr().println("sparseinfer: " + n));
        return available.kinds();
    }
}
