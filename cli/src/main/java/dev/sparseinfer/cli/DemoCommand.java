package dev.sparseinfer.cli;

import dev.sparseinfer.cli.report.DemoReport;
import dev.sparseinfer.cli.report.JsonOutput;
import dev.sparseinfer.cli.report.ReportDirectory;
import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.engine.api.Precision;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.backend.cpu.CpuKernelProvider;
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
import dev.sparseinfer.models.prune.PrunePattern;
import dev.sparseinfer.models.variants.Variant;
import dev.sparseinfer.models.variants.VariantCache;
import dev.sparseinfer.models.variants.VariantRecipe;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
                + "each on every available backend (and the dense model at bf16 compute where the CPU has AVX-512 "
                + "BF16) and prints one table: format, bytes, latency, speedup, and cosine "
                + "and top-10 neighbour agreement with the dense model on both shipped held-out sets. Distilled 2:4 "
                + "and 90%% unstructured variants join the table when the cache has them (the distilled 2:4 also "
                + "quantised to w8a8); the demo prints the distill command that adds them.")
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
                    "Texts to bench and compare on, one per line, more than 10 (default: the 240 shipped held-out sentences, "
                            + "timed, and the 300 held-out fortunes, compared only).")
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

    /** The training time the printed distill commands ask for: long enough to gain most of what a run gains. */
    static final int DISTILL_MINUTES = 60;

    /** Texts embedded at once for the quality-only sets: batch size does not change what is compared. */
    private static final int QUALITY_BATCH = 32;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (runs < 1 || warmup < 0) {
            throw SparseInferException.invalidArgument("--runs must be at least 1 and --warmup at least 0");
        }
        VariantRecipe recipe = VariantRecipe.firstShipped(PruneMethod.parse(method), calibrationTexts);
        Map<String, List<String>> sets = input == null
                ? CalibrationSet.heldOutSets()
                : Map.of(input.getFileName().toString(), CalibrationSet.readTexts(input));
        List<String> texts = sets.values().iterator().next();
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
        List<Variant> variants = new ArrayList<>(Variant.demoSet());
        List<Path> paths = new ArrayList<>();
        for (Variant v : variants) {
            paths.add(obtain(cache, v, err));
        }
        for (Variant v : Variant.distilledDemoSet()) {
            Variant trained = v.distilledAncestor().orElseThrow();
            if (cache.isCached(trained)) {
                variants.add(v);
                paths.add(v.distilled() ? cache.path(v) : obtain(cache, v, err));
            } else if (v.distilled()) {
                err.println("sparseinfer: " + missingDistilled(cache, v));
            }
        }

        DemoReport result =
                new DemoReport(new DemoReport.Setup(model, recipe.describe(), backendLine, texts.size(), warmup, runs));
        for (BackendKind backend : backends.kinds()) {
            bench(backend, variants, paths, sets, result, err);
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

    /** One line: why a distilled variant is not in the table, and the command that writes it where the cache looks. */
    private String missingDistilled(VariantCache cache, Variant v) {
        Path target = cache.path(v);
        Variant start = v.base().orElseThrow();
        PrunePattern pattern = start.pattern().orElseThrow();
        String command = "sparseinfer distill --model " + shellWord(model) + " --pattern " + pattern.label()
                + (pattern == PrunePattern.UNSTRUCTURED ? " --sparsity " + start.sparsity() : "")
                + " --start " + shellWord(cache.path(start).toString()) + " --minutes " + DISTILL_MINUTES
                + " --out " + shellWord(target.toString());
        String why = Files.isRegularFile(target)
                ? "ignoring " + target + ", which was not distilled from " + model
                : "no " + v.label() + " in the cache";
        return why + "; to add it (about " + DISTILL_MINUTES + " minutes of training): " + command;
    }

    /** The word as a POSIX shell reads it back: quoted only when it holds more than safe characters. */
    private static String shellWord(String word) {
        return word.matches("[A-Za-z0-9_./:=@%+,-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }

    /**
     * Times every row on one backend with all of them open at once, their passes interleaved
     * ({@link LatencyBenchmark#measureInterleaved}), so that a slow spell of the machine falls on every row alike
     * and the speedups compare like with like; then embeds the quality-only sets with each.
     */
    private void bench(
            BackendKind backend,
            List<Variant> variants,
            List<Path> paths,
            Map<String, List<String>> sets,
            DemoReport result,
            PrintWriter err)
            throws Exception {
        ModelOptions options =
                ModelOptions.defaults().withBackend(backend).withBatchSize(1).withThreads(threads.value());
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < variants.size(); i++) {
            Variant v = variants.get(i);
            LoadedModel loaded = ModelLoader.load(paths.get(i));
            long bytes = ModelInventory.of(loaded.weights()).linearBytes();
            entries.add(new Entry(v.name(), v.label(), loaded, options, bytes));
            if (v.equals(Variant.DENSE)
                    && backend == BackendKind.CPU
                    && CpuKernelProvider.selection().nativeBf16()) {
                // The dense model again at bf16 compute: a run-time setting, not a file, and only where it runs;
                // its weights are packed as bf16 and the fp32 copy dropped, so it holds half the bytes.
                entries.add(new Entry(
                        "dense-bf16", "dense, bf16 compute", loaded, options.withPrecision(Precision.BF16), bytes / 2));
            }
        }
        String timedSet = sets.keySet().iterator().next();
        List<EmbeddingRunner> runners = new ArrayList<>();
        try {
            for (Entry e : entries) {
                runners.add(EmbeddingRunner.open(e.model(), e.options()));
            }
            List<TokenizedText> tokens = runners.getFirst().tokenize(sets.get(timedSet));
            List<LatencyBenchmark.Result> timings;
            try (ProgressBar progress = ProgressBar.onTerminal(err)) {
                timings = LatencyBenchmark.measureInterleaved(
                        runners.stream().map(LatencyBenchmark.BatchEmbedder::of).toList(),
                        tokens,
                        1,
                        warmup,
                        runs,
                        (done, total) -> progress.update(
                                "bench " + entries.size() + " formats on " + backend.label(), done, total));
            }
            List<Map<String, List<float[]>>> embeddings = new ArrayList<>();
            for (int i = 0; i < entries.size(); i++) {
                Map<String, List<float[]>> byset = new LinkedHashMap<>();
                for (Map.Entry<String, List<String>> set : sets.entrySet()) {
                    byset.put(
                            set.getKey(),
                            set.getKey().equals(timedSet)
                                    ? timings.get(i).embeddings()
                                    : embedOnce(runners.get(i), runners.get(i).tokenize(set.getValue())));
                }
                embeddings.add(byset);
            }
            for (int i = 0; i < entries.size(); i++) {
                result.add(row(entries.get(i), runners.get(i).backendDescription(), timings, embeddings, i, sets));
            }
        } finally {
            runners.forEach(EmbeddingRunner::close);
        }
    }

    /** One row of the table: a model, how it runs, and the bytes of its linear layers as they run. */
    private record Entry(String name, String label, LoadedModel model, ModelOptions options, long linearBytes) {}

    /** Row {@code i} against row 0, the dense model. */
    private DemoReport.Row row(
            Entry entry,
            String backend,
            List<LatencyBenchmark.Result> timings,
            List<Map<String, List<float[]>>> embeddings,
            int i,
            Map<String, List<String>> sets) {
        List<DemoReport.Quality> quality = new ArrayList<>();
        for (String set : sets.keySet()) {
            EmbeddingAgreement agreement = EmbeddingAgreement.measure(
                    embeddings.getFirst().get(set), embeddings.get(i).get(set), QualityCheck.NEIGHBOURS);
            quality.add(new DemoReport.Quality(
                    set, sets.get(set).size(), agreement.meanCosine(), agreement.neighbourAgreement()));
        }
        LatencyBenchmark.Result r = timings.get(i);
        return new DemoReport.Row(
                entry.name(),
                entry.label(),
                entry.linearBytes(),
                backend,
                threads.value(),
                r.medianMs(),
                r.p90Ms(),
                timings.getFirst().medianMs() / r.medianMs(),
                quality,
                r.runs());
    }

    /** The texts' embeddings, untimed, for the sets that measure quality only. */
    private static List<float[]> embedOnce(EmbeddingRunner m, List<TokenizedText> tokens) {
        List<float[]> vectors = new ArrayList<>(tokens.size());
        for (int from = 0; from < tokens.size(); from += QUALITY_BATCH) {
            m.embedBatch(tokens.subList(from, Math.min(tokens.size(), from + QUALITY_BATCH)))
                    .forEach(e -> vectors.add(e.vector()));
        }
        return vectors;
    }
}
