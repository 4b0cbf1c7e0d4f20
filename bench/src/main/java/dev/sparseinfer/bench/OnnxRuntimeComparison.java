package dev.sparseinfer.bench;

import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.engine.api.Precision;
import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.io.ModelLoader;
import dev.sparseinfer.engine.model.bert.BertWeights;
import dev.sparseinfer.engine.runtime.EmbeddingRunner;
import dev.sparseinfer.engine.tokenizer.TokenizedText;
import dev.sparseinfer.models.ModelRegistry;
import dev.sparseinfer.models.calibration.CalibrationSet;
import dev.sparseinfer.models.calibration.Progress;
import dev.sparseinfer.models.evaluate.EmbeddingAgreement;
import dev.sparseinfer.models.evaluate.LatencyBenchmark;
import dev.sparseinfer.models.evaluate.LatencyBenchmark.BatchEmbedder;
import dev.sparseinfer.models.evaluate.MachineInfo;
import dev.sparseinfer.models.prune.PruneMethod;
import dev.sparseinfer.models.prune.PrunePattern;
import dev.sparseinfer.models.prune.PruneSpec;
import dev.sparseinfer.models.prune.WeightPruner;
import dev.sparseinfer.models.quantize.Int8Quantizer;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * all-MiniLM-L6-v2 on our CPU backend, in every format and dense at bf16 precision, against ONNX Runtime's Java API on the same ONNX file and
 * on LangChain4j's quantised export, in one run on the same texts (the shipped held-out sentences) and the same
 * thread counts: batch-1 latency per text (median, p90) and batch-32 throughput, tokenisation excluded.
 *
 * <p>Sparse variants are pruned by magnitude here, which takes seconds: a layer's speed depends on its format, not
 * on which weights were kept, so their cosine column shows magnitude pruning's (poor) quality, not SparseGPT's.
 *
 * <p>All variants of one thread count and batch size are open at once and timed pass by pass in turn (pass 1 of
 * every variant, then pass 2, ...): on a shared VM a slow spell then falls on ONNX Runtime and on us alike, where
 * timing one variant after another lets it land on whichever runs then.
 *
 * <p>Each thread count runs in a JVM of its own, as JMH forks per benchmark: in one JVM, the second thread count
 * would run our kernels as C2 compiled them for the first, while ONNX Runtime's native code is unaffected.
 *
 * <p>Usage: {@code OnnxRuntimeComparison [--threads 1,2] [--runs N] [--out FILE.md]}.
 */
public final class OnnxRuntimeComparison {

    private static final String QUANTIZED_ONNX = "all-minilm-l6-v2-q.onnx";
    /** The dense model with its linear layers at bf16 precision (fp32 where the CPU cannot, saying so on stderr). */
    private static final String BF16 = "bf16";

    private record Variant(String name, String runtime, ThrowingFactory factory) {}

    @FunctionalInterface
    private interface ThrowingFactory {
        AutoCloseableEmbedder open(int threads, int batch) throws Exception;
    }

    private interface AutoCloseableEmbedder extends BatchEmbedder, AutoCloseable {}

    private record Row(
            String variant,
            String runtime,
            int threads,
            double medianMs,
            double p90Ms,
            double batchTextsPerS,
            double cosine) {

        String toLine() {
            return String.join(
                    "\t",
                    variant,
                    runtime,
                    Integer.toString(threads),
                    Double.toString(medianMs),
                    Double.toString(p90Ms),
                    Double.toString(batchTextsPerS),
                    Double.toString(cosine));
        }

        static Row parse(String line) {
            String[] f = line.split("\t");
            return new Row(
                    f[0],
                    f[1],
                    Integer.parseInt(f[2]),
                    Double.parseDouble(f[3]),
                    Double.parseDouble(f[4]),
                    Double.parseDouble(f[5]),
                    Double.parseDouble(f[6]));
        }
    }

    public static void main(String[] args) throws Exception {
        List<Integer> threadCounts = List.of(1, 2);
        int runs = 3;
        Path out = null;
        Path rowsOut = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" ->
                    threadCounts = Arrays.stream(args[++i].split(","))
                            .map(Integer::parseInt)
                            .toList();
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                // Internal: a forked run of one thread count writes its rows here for the parent.
                case "--rows" -> rowsOut = Path.of(args[++i]);
                default ->
                    throw new IllegalArgumentException(
                            "unknown option " + args[i] + " (options: --threads 1,2 --runs N --out FILE.md)");
            }
        }
        if (threadCounts.size() > 1) {
            List<Row> rows = new ArrayList<>();
            int texts = 0;
            for (int threads : threadCounts) {
                Path file = Files.createTempFile("comparison", ".tsv");
                try {
                    runForked(threads, runs, file);
                    List<String> lines = Files.readAllLines(file);
                    texts = Integer.parseInt(lines.getFirst());
                    lines.subList(1, lines.size()).forEach(line -> rows.add(Row.parse(line)));
                } finally {
                    Files.deleteIfExists(file);
                }
            }
            report(rows, texts, runs, out);
            return;
        }
        Path onnx = ModelRegistry.standard().resolve("minilm");
        Path quantizedOnnx = extractQuantizedExport();
        LoadedModel dense = ModelLoader.load(onnx);
        List<Variant> variants = variants(dense, onnx, quantizedOnnx);
        List<TokenizedText> texts;
        try (EmbeddingRunner m =
                EmbeddingRunner.open(dense, ModelOptions.defaults().withBackend(BackendKind.CPU))) {
            texts = m.tokenize(CalibrationSet.heldOutTexts());
        }
        List<Row> rows = new ArrayList<>();
        for (int threads : threadCounts) {
            List<LatencyBenchmark.Result> single = measureAll(variants, threads, 1, texts, runs);
            List<LatencyBenchmark.Result> batched = measureAll(variants, threads, 32, texts, runs);
            List<float[]> reference = single.getFirst().embeddings();
            for (int i = 0; i < variants.size(); i++) {
                Variant v = variants.get(i);
                Row row = new Row(
                        v.name(),
                        v.runtime(),
                        threads,
                        single.get(i).medianMs(),
                        single.get(i).p90Ms(),
                        batched.get(i).textsPerSecond(),
                        EmbeddingAgreement.meanCosine(reference, single.get(i).embeddings()));
                rows.add(row);
                System.out.printf(
                        Locale.ROOT,
                        "%-22s %-14s threads=%d  median %.3f ms  p90 %.3f ms  batch-32 %.1f texts/s  cosine %.5f%n",
                        row.variant(),
                        row.runtime(),
                        threads,
                        row.medianMs(),
                        row.p90Ms(),
                        row.batchTextsPerS(),
                        row.cosine());
            }
        }
        if (rowsOut != null) {
            List<String> lines = new ArrayList<>();
            lines.add(Integer.toString(texts.size()));
            rows.forEach(r -> lines.add(r.toLine()));
            Files.write(rowsOut, lines);
            return;
        }
        report(rows, texts.size(), runs, out);
    }

    /** Every variant open at once, measured side by side ({@link LatencyBenchmark#measureInterleaved}). */
    private static List<LatencyBenchmark.Result> measureAll(
            List<Variant> variants, int threads, int batch, List<TokenizedText> texts, int runs) throws Exception {
        List<AutoCloseableEmbedder> open = new ArrayList<>();
        try {
            for (Variant v : variants) {
                open.add(v.factory().open(threads, batch));
            }
            return LatencyBenchmark.measureInterleaved(open, texts, batch, 2, runs);
        } finally {
            for (AutoCloseableEmbedder e : open) {
                e.close();
            }
        }
    }

    /** This class again, in a new JVM with this one's options, for one thread count. */
    private static void runForked(int threads, int runs, Path rows) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                OnnxRuntimeComparison.class.getName(),
                "--threads",
                Integer.toString(threads),
                "--runs",
                Integer.toString(runs),
                "--rows",
                rows.toString()));
        int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException("the run at " + threads + " thread(s) failed (exit " + exit + ")");
        }
    }

    private static void report(List<Row> rows, int texts, int runs, Path out) throws Exception {
        String markdown = markdown(rows, texts, runs);
        System.out.println();
        System.out.println(markdown);
        if (out != null) {
            Path temp = Files.createTempFile(out.toAbsolutePath().getParent(), ".comparison", ".tmp");
            Files.writeString(temp, markdown);
            Files.move(temp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static List<Variant> variants(LoadedModel dense, Path onnx, Path quantizedOnnx) {
        BertWeights twoFour = prune(dense.weights(), new PruneSpec(PrunePattern.TWO_FOUR, 0.5, PruneMethod.MAGNITUDE));
        BertWeights ninety =
                prune(dense.weights(), new PruneSpec(PrunePattern.UNSTRUCTURED, 0.9, PruneMethod.MAGNITUDE));
        Map<String, BertWeights> ours = new LinkedHashMap<>();
        ours.put("dense fp32", dense.weights());
        ours.put(BF16, dense.weights());
        ours.put("w8a8", Int8Quantizer.quantize(dense.weights(), Int8Scheme.W8A8));
        ours.put("2:4 fp32", twoFour);
        ours.put("90% unstructured fp32", ninety);
        ours.put("2:4 + w8a8", Int8Quantizer.quantize(twoFour, Int8Scheme.W8A8));
        ours.put("90% unstructured + w8a8", Int8Quantizer.quantize(ninety, Int8Scheme.W8A8));
        List<Variant> variants = new ArrayList<>();
        variants.add(new Variant("dense fp32", "onnxruntime", (threads, batch) -> ort(onnx, threads)));
        variants.add(
                new Variant("int8 (LangChain4j -q)", "onnxruntime", (threads, batch) -> ort(quantizedOnnx, threads)));
        ours.forEach((name, weights) -> variants.add(new Variant(name, "sparseinfer", (threads, batch) -> {
            LoadedModel model = new LoadedModel(weights, dense.tokenizerJson(), name);
            EmbeddingRunner m = EmbeddingRunner.open(
                    model,
                    ModelOptions.defaults()
                            .withBackend(BackendKind.CPU)
                            .withThreads(threads)
                            .withBatchSize(batch)
                            .withPrecision(name.equals(BF16) ? Precision.BF16 : Precision.FP32));
            m.backendNotice().ifPresent(n -> System.err.println("compare: " + name + ": " + n));
            return new AutoCloseableEmbedder() {
                @Override
                public List<float[]> embed(List<TokenizedText> texts) {
                    return m.embedBatch(texts).stream().map(e -> e.vector()).toList();
                }

                @Override
                public void close() {
                    m.close();
                }
            };
        })));
        return variants;
    }

    private static AutoCloseableEmbedder ort(Path onnx, int threads) throws Exception {
        OnnxRuntimeRunner runner = new OnnxRuntimeRunner(onnx, threads);
        return new AutoCloseableEmbedder() {
            @Override
            public List<float[]> embed(List<TokenizedText> texts) throws Exception {
                return runner.embed(texts);
            }

            @Override
            public void close() throws Exception {
                runner.close();
            }
        };
    }

    private static BertWeights prune(BertWeights weights, PruneSpec spec) {
        return new WeightPruner(spec, null, Runtime.getRuntime().availableProcessors()).prune(weights, Progress.NONE);
    }

    private static Path extractQuantizedExport() throws Exception {
        Path target = ModelRegistry.standard().cacheRoot().resolve("bench").resolve(QUANTIZED_ONNX);
        if (!Files.exists(target)) {
            Files.createDirectories(target.getParent());
            try (InputStream in = OnnxRuntimeComparison.class.getClassLoader().getResourceAsStream(QUANTIZED_ONNX)) {
                if (in == null) {
                    throw new IllegalStateException(
                            QUANTIZED_ONNX + " is missing: the langchain4j -q artifact is not on the classpath");
                }
                Path temp = Files.createTempFile(target.getParent(), ".q", ".tmp");
                Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        return target;
    }

    private static String markdown(List<Row> rows, int texts, int runs) {
        StringBuilder b = new StringBuilder();
        Map<String, String> machine = MachineInfo.describe();
        b.append(String.format(
                Locale.ROOT,
                "Machine: %s, %s cores; %s. %d held-out texts, batch 1 latency per text over %d timed passes "
                        + "(after 2 warm-up passes), the variants' passes taken in turn, batch-32 throughput likewise; cosine to ONNX Runtime fp32 at the same "
                        + "thread count.%n%n",
                machine.get("cpu"),
                machine.get("cores"),
                machine.get("java"),
                texts,
                runs));
        b.append("| variant | runtime | threads | median ms | p90 ms | vs ORT fp32 | batch-32 texts/s | cosine |\n");
        b.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        Map<Integer, Double> ortMedian = new LinkedHashMap<>();
        for (Row r : rows) {
            ortMedian.putIfAbsent(r.threads(), r.medianMs());
            b.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %d | %.3f | %.3f | %.2f× | %.1f | %.5f |%n",
                    r.variant(),
                    r.runtime(),
                    r.threads(),
                    r.medianMs(),
                    r.p90Ms(),
                    r.medianMs() / ortMedian.get(r.threads()),
                    r.batchTextsPerS(),
                    r.cosine()));
        }
        return b.toString();
    }
}
