package dev.sparseinfer.cli;

import dev.sparseinfer.cli.report.DemoReport;
import dev.sparseinfer.cli.report.JsonOutput;
import dev.sparseinfer.cli.report.ReportDirectory;
import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.io.ModelLoader;
import dev.sparseinfer.engine.runtime.EmbeddingRunner;
import dev.sparseinfer.engine.tokenizer.TokenizedText;
import dev.sparseinfer.models.ModelInventory;
import dev.sparseinfer.models.ModelRegistry;
import dev.sparseinfer.models.calibration.CalibrationSet;
import dev.sparseinfer.models.evaluate.AvailableBackends;
import dev.sparseinfer.models.evaluate.EmbeddingAgreement;
import dev.sparseinfer.models.evaluate.LatencyBenchmark;
import dev.sparseinfer.models.evaluate.QualityCheck;
import dev.sparseinfer.models.prune.PruneMethod;
import dev.sparseinfer.models.variants.Variant;
import dev.sparseinfer.models.variants.VariantCache;
import dev.sparseinfer.models.variants.VariantRecipe;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        header = "What 2:4 and unstructured sparsity and int8 buy on this machine, and what they cost in accuracy.",
        description = "Builds the dense, 50%% and 90%% unstructured, 2:4, int8 w8a8 and 2:4 + w8a8 variants of a model "
                + "(cached under the cache directory; rebuilt only when the recipe or the model changes), benches "
                + "each on every available backend and prints one table: format, bytes, latency, speedup, cosine and "
                + "top-10 neighbour agreement with the dense model.")
final class DemoCommand implements Callable<Integer> {

    @Option(
            names = "--model",
            paramLabel = "SPEC",
            defaultValue = "minilm",
            description =
                    "The dense model to start from (default: ${DEFAULT-VALUE}): minilm, a .onnx file or a Hugging Face directory.")
    String model;

    @Mixin
    ThreadsOption threads;

    @Option(
            names = "--input",
            paramLabel = "FILE",
            description =
                    "Texts to bench and compare on, one per line, more than 10 (default: the 240 shipped held-out sentences).")
    Path input;

    @Option(
            names = "--warmup",
            paramLabel = "N",
            defaultValue = "1",
            description =
                    "Untimed passes per variant, continued until at least 3 s have passed (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(
            names = "--runs",
            paramLabel = "N",
            defaultValue = "2",
            description =
                    "Timed passes per variant; every text of every pass is one sample (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(
            names = "--method",
            paramLabel = "magnitude|wanda|sparsegpt",
            defaultValue = "sparsegpt",
            description = "How the sparse variants are pruned (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(
            names = "--calibration-texts",
            paramLabel = "N",
            defaultValue = "" + VariantRecipe.DEFAULT_CALIBRATION_TEXTS,
            description =
                    "How many of the shipped calibration sentences wanda and sparsegpt read (default: ${DEFAULT-VALUE} of 1,370).")
    int calibrationTexts;

    @Option(
            names = "--json",
            paramLabel = "FILE",
            description = "Also write the results as JSON (format in docs/benchmarks.md).")
    Path json;

    @Option(
            names = "--report",
            paramLabel = "DIR",
            description = "Also write demo.md with the table and charts (PNG and SVG) into DIR.")
    Path report;

    @Mixin
    VerboseOption verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (runs < 1 || warmup < 0) {
            throw SparseInferException.invalidArgument("--runs must be at least 1 and --warmup at least 0");
        }
        VariantRecipe recipe = VariantRecipe.firstShipped(PruneMethod.parse(method), calibrationTexts);
        List<String> texts = input == null ? CalibrationSet.heldOutTexts() : CalibrationSet.readTexts(input);
        if (texts.size() <= QualityCheck.NEIGHBOURS) {
            throw SparseInferException.invalidArgument("--input needs more than " + QualityCheck.NEIGHBOURS
                    + " texts for top-" + QualityCheck.NEIGHBOURS + " agreement, got " + texts.size());
        }
        ReportDirectory reportDir = report == null ? null : ReportDirectory.prepare(report);
        JsonOutput jsonOut = json == null ? null : JsonOutput.checked(json);
        ModelRegistry registry = ModelRegistry.standard();
        Path source = registry.resolve(model);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();

        AvailableBackends backends = AvailableBackends.detect();
        String backendLine = "backends: "
                + String.join(
                        ", ", backends.kinds().stream().map(BackendKind::label).toList())
                + backends.notice().map(n -> " (" + n + ")").orElse("");
        err.println("sparseinfer: " + backendLine);

        VariantCache cache = new VariantCache(registry.cacheRoot(), source, recipe, threads.value());
        List<Variant> variants = Variant.demoSet();
        List<Path> paths = new ArrayList<>();
        for (Variant v : variants) {
            paths.add(obtain(cache, v, err));
        }

        DemoReport result =
                new DemoReport(new DemoReport.Setup(model, recipe.describe(), backendLine, texts.size(), warmup, runs));
        for (BackendKind backend : backends.kinds()) {
            bench(backend, variants, paths, texts, result, err);
        }
        result.print(out);
        if (jsonOut != null) {
            jsonOut.write(result.json(), out);
            err.println("sparseinfer: wrote " + json);
        }
        if (reportDir != null) {
            result.writeTo(reportDir);
            err.println("sparseinfer: wrote " + reportDir.path().resolve("demo.md"));
        }
        return 0;
    }

    private Path obtain(VariantCache cache, Variant v, PrintWriter err) {
        if (cache.isCached(v)) {
            return cache.path(v);
        }
        long started = System.nanoTime();
        Path path;
        try (ProgressBar progress = ProgressBar.onTerminal(err)) {
            path = cache.obtain(v, progress);
        }
        err.printf(
                Locale.ROOT,
                "sparseinfer: built %s in %.0f s: %s%n",
                v.label(),
                (System.nanoTime() - started) / 1e9,
                path);
        return path;
    }

    private void bench(
            BackendKind backend,
            List<Variant> variants,
            List<Path> paths,
            List<String> texts,
            DemoReport result,
            PrintWriter err)
            throws Exception {
        ModelOptions options =
                ModelOptions.defaults().withBackend(backend).withBatchSize(1).withThreads(threads.value());
        List<float[]> dense = null;
        double denseMedian = 0;
        for (int i = 0; i < variants.size(); i++) {
            Variant v = variants.get(i);
            LoadedModel loaded = ModelLoader.load(paths.get(i));
            LatencyBenchmark.Result r;
            String backendName;
            try (EmbeddingRunner m = EmbeddingRunner.open(loaded, options);
                    ProgressBar progress = ProgressBar.onTerminal(err)) {
                backendName = m.backendDescription();
                List<TokenizedText> tokens = m.tokenize(texts);
                r = LatencyBenchmark.measure(
                        LatencyBenchmark.BatchEmbedder.of(m),
                        tokens,
                        1,
                        warmup,
                        runs,
                        pass -> progress.update("bench " + v.label() + " on " + backend.label(), pass, warmup + runs));
            }
            if (dense == null) {
                dense = r.embeddings();
                denseMedian = r.medianMs();
            }
            EmbeddingAgreement agreement = EmbeddingAgreement.measure(dense, r.embeddings(), QualityCheck.NEIGHBOURS);
            result.add(new DemoReport.Row(
                    v.name(),
                    v.label(),
                    ModelInventory.of(loaded.weights()).linearBytes(),
                    backendName,
                    threads.value(),
                    r.medianMs(),
                    r.p90Ms(),
                    denseMedian / r.medianMs(),
                    agreement.meanCosine(),
                    agreement.neighbourAgreement(),
                    r.runs()));
        }
    }
}
