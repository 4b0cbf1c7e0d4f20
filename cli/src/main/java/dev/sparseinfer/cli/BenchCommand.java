package dev.sparseinfer.cli;

import dev.sparseinfer.cli.report.AtomicOutput;
import dev.sparseinfer.cli.report.BenchReport;
import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.runtime.EmbeddingRunner;
import dev.sparseinfer.engine.tokenizer.TokenizedText;
import dev.sparseinfer.models.ModelRegistry;
import dev.sparseinfer.models.calibration.CalibrationSet;
import dev.sparseinfer.models.evaluate.EmbeddingAgreement;
import dev.sparseinfer.models.evaluate.LatencyBenchmark;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        subcommands = {BenchSweepCommand.class, BenchCompareCommand.class},
        header = "Latency of one or more models on the same texts, and how far each agrees with the first.",
        description = "Median and p90 per text (tokenisation excluded, after warm-up), speedup over the first model, "
                + "and mean cosine of each text's embedding to the first model's.")
final class BenchCommand implements Callable<Integer> {

    @Option(
            names = "--model",
            paramLabel = "SPEC",
            description =
                    "A model to bench (repeat for several; the first is the baseline): minilm, a .onnx file, a Hugging Face directory or a packed .safetensors.")
    List<String> models;

    @Option(
            names = "--backend",
            paramLabel = "auto|cpu|cuda",
            defaultValue = "auto",
            description = "Backend to run on (default: ${DEFAULT-VALUE}).")
    String backend;

    @Mixin
    ThreadsOption threads;

    @Mixin
    PrecisionOption precision;

    @Mixin
    FormatsOption formats;

    @Option(
            names = "--input",
            paramLabel = "FILE",
            description = "Texts, one per line (default: the 240 shipped held-out sentences).")
    Path input;

    @Option(
            names = "--batch",
            paramLabel = "N",
            defaultValue = "1",
            description = "Texts per forward pass; times are per text (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--warmup",
            paramLabel = "N",
            defaultValue = "2",
            description =
                    "Untimed passes over the texts first, continued until at least 3 s have passed (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(
            names = "--runs",
            paramLabel = "N",
            defaultValue = "3",
            description =
                    "Timed passes over the texts; every batch of every pass is one sample (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(
            names = "--json",
            paramLabel = "FILE",
            description = "Also write the results as JSON (format in docs/benchmarks.md).")
    Path json;

    @Mixin
    VerboseOption verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (models == null || models.isEmpty()) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "missing --model (or a subcommand: sweep, compare)");
        }
        if (batch < 1 || runs < 1 || warmup < 0) {
            throw SparseInferException.invalidArgument("--batch and --runs must be at least 1 and --warmup at least 0");
        }
        List<String> texts = input == null ? CalibrationSet.heldOutTexts() : CalibrationSet.readTexts(input);
        ModelOptions options = ModelOptions.defaults()
                .withBackend(BackendKind.parse(backend))
                .withBatchSize(batch)
                .withThreads(threads.value())
                .withSparseDetection(formats.detect())
                .withPrecision(precision.value());
        List<Path> paths =
                models.stream().map(ModelRegistry.standard()::resolve).toList();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        BenchReport report = new BenchReport(texts.size(), batch, runs, warmup);
        List<float[]> baseline = null;
        double baselineMedian = 0;
        for (int m = 0; m < paths.size(); m++) {
            try (EmbeddingRunner model = EmbeddingRunner.open(paths.get(m), options)) {
                if (m == 0) {
                    model.backendNotice().ifPresent(notice -> err.println("sparseinfer: " + notice));
                }
                List<TokenizedText> tokens = model.tokenize(texts);
                String label = models.get(m);
                LatencyBenchmark.Result r;
                try (ProgressBar progress = ProgressBar.onTerminal(err)) {
                    r = LatencyBenchmark.measure(
                            LatencyBenchmark.BatchEmbedder.of(model),
                            tokens,
                            batch,
                            warmup,
                            runs,
                            pass -> progress.update("bench " + label, pass, warmup + runs));
                }
                if (m == 0) {
                    baseline = r.embeddings();
                    baselineMedian = r.medianMs();
                }
                report.add(new BenchReport.Row(
                        label,
                        model.backendDescription(),
                        threads.value(),
                        r.medianMs(),
                        r.p90Ms(),
                        baselineMedian / r.medianMs(),
                        EmbeddingAgreement.meanCosine(baseline, r.embeddings()),
                        r.textsPerSecond(),
                        r.runs()));
            }
        }
        report.print(out);
        if (json != null) {
            try (AtomicOutput file = AtomicOutput.open(json, out)) {
                file.writer().write(report.json());
                file.commit();
            }
            err.println("sparseinfer: wrote " + json);
        }
        return 0;
    }
}
