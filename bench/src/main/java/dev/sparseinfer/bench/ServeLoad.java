package dev.sparseinfer.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.Embedding;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.engine.api.Similarity;
import dev.sparseinfer.engine.runtime.EmbeddingRunner;
import dev.sparseinfer.engine.tokenizer.TokenizedText;
import dev.sparseinfer.models.ModelRegistry;
import dev.sparseinfer.models.calibration.CalibrationSet;
import dev.sparseinfer.server.BatchPolicy;
import dev.sparseinfer.server.EmbeddingServer;
import dev.sparseinfer.server.ServerConfig;
import dev.sparseinfer.server.TextEncoder;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The load test of {@code sparseinfer serve}: N concurrent clients each sending one-text requests to
 * {@code /v1/embeddings} until a fixed count is answered, with dynamic batching on and off, against the batch-32
 * throughput of the same model in the same process; then a burst past the queue, which must get 429s and nothing
 * else. Every answer is checked to be its own text's vector, so a lost or misrouted request shows.
 *
 * <p>The server and the clients share the JVM and the cores, as a sidecar and its callers on one machine would.
 *
 * <pre>bench/run serve-load [--model SPEC] [--threads N] [--requests N] [--clients 1,8,32,128] [--out FILE.md]</pre>
 */
public final class ServeLoad {

    private record Row(
            int clients, boolean batching, int requests, double seconds, long[] latencies, int wrong, double perPass) {
        double perSecond() {
            return requests / seconds;
        }

        double percentileMillis(double p) {
            long[] sorted = latencies.clone();
            Arrays.sort(sorted);
            return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] / 1e6;
        }
    }

    private record Burst(int clients, int queue, int ok, int refused, int other) {}

    private final List<String> texts = CalibrationSet.heldOutTexts();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(30))
            .build();
    private List<float[]> expected;

    public static void main(String[] args) throws Exception {
        String spec = "minilm";
        int threads = Runtime.getRuntime().availableProcessors();
        int requests = 1024;
        int[] clients = {1, 8, 32, 128};
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--model" -> spec = args[++i];
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--requests" -> requests = Integer.parseInt(args[++i]);
                case "--clients" ->
                    clients = Arrays.stream(args[++i].split(","))
                            .mapToInt(Integer::parseInt)
                            .toArray();
                case "--out" -> out = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: bench/run serve-load [--model SPEC] [--threads N] [--requests N]"
                            + " [--clients 1,8,32,128] [--out FILE.md]");
                    System.exit(2);
                }
            }
        }
        ModelOptions options =
                ModelOptions.defaults().withBackend(BackendKind.CPU).withThreads(threads);
        Path model = ModelRegistry.standard().resolve(spec);
        try (EmbeddingRunner runner = EmbeddingRunner.open(model, options)) {
            String report = new ServeLoad().run(runner, spec, threads, requests, clients, args);
            System.out.print(report);
            if (out != null) {
                Files.writeString(out, report, StandardCharsets.UTF_8);
            }
        }
    }

    private double tokensPerText;

    private String run(
            EmbeddingRunner runner, String spec, int threads, int requests, int[] clientCounts, String[] args)
            throws Exception {
        tokensPerText = runner.tokenize(texts).stream()
                .mapToInt(TokenizedText::length)
                .average()
                .orElse(0);
        expected = runner.embed(texts).stream().map(Embedding::vector).toList();
        TextEncoder encoder = keptOpen(TextEncoder.of(runner));
        textsPerSecond(runner, 32, 1.0); // warm-up
        double before = textsPerSecond(runner, 32, 3.0);
        int[] sweep = {1, 8, 32, 128};
        double[] sweepRate = new double[sweep.length];
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < sweep.length; i++) {
                sweepRate[i] += textsPerSecond(runner, sweep[i], 2.0) / 2;
            }
        }
        List<Row> rows = new ArrayList<>();
        for (int n : clientCounts) {
            for (boolean batching : new boolean[] {false, true}) {
                BatchPolicy policy = new BatchPolicy(
                        BatchPolicy.AUTO,
                        BatchPolicy.DEFAULT_MAX_WAIT_MICROS,
                        batching,
                        BatchPolicy.DEFAULT_MAX_QUEUED_TEXTS);
                try (EmbeddingServer server = start(encoder, policy, ServerConfig.DEFAULT_MAX_INPUTS)) {
                    load(server.port(), n, Math.min(requests, 64)); // warm-up
                    double[] warm = passCounts(server.port());
                    Row row = load(server.port(), n, requests);
                    double[] counts = passCounts(server.port());
                    double perPass = (counts[0] - warm[0]) / (counts[1] - warm[1]);
                    rows.add(
                            new Row(n, batching, row.requests(), row.seconds(), row.latencies(), row.wrong(), perPass));
                    System.err.printf(
                            Locale.ROOT,
                            "serve-load: %d clients, batching %s: %.1f requests/s%n",
                            n,
                            batching ? "on" : "off",
                            row.perSecond());
                }
            }
        }
        double after = textsPerSecond(runner, 32, 3.0);
        Burst burst = burst(encoder, 512, 32);
        return report(
                spec, threads, requests, rows, (before + after) / 2, before, after, sweep, sweepRate, burst, args);
    }

    private EmbeddingServer start(TextEncoder encoder, BatchPolicy policy, int maxInputs) throws IOException {
        ServerConfig config = ServerConfig.defaults()
                .withPort(0)
                .withLimits(ServerConfig.DEFAULT_MAX_BODY_BYTES, maxInputs)
                .withBatching(policy)
                .withRequestLog(false);
        EmbeddingServer server = EmbeddingServer.listen(config, new PrintWriter(new StringWriter(), true));
        server.serve("m", encoder);
        server.ready();
        return server;
    }

    /** {@code clients} threads send one-text requests until {@code requests} are answered; every answer is checked. */
    private Row load(int port, int clients, int requests) throws InterruptedException {
        long[] latencies = new long[requests];
        AtomicInteger next = new AtomicInteger();
        LongAdder wrong = new LongAdder();
        URI uri = URI.create("http://127.0.0.1:" + port + "/v1/embeddings");
        long started = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                pool.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < requests) {
                        int text = i % texts.size();
                        long t0 = System.nanoTime();
                        float[] v = post(uri, texts.get(text));
                        latencies[i] = System.nanoTime() - t0;
                        if (v == null || Similarity.cosine(v, expected.get(text)) < 0.99999) {
                            wrong.increment();
                        }
                    }
                });
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        return new Row(clients, true, requests, seconds, latencies, wrong.intValue(), 0);
    }

    /** Texts embedded and forward passes run so far, from the server's metrics. */
    private double[] passCounts(int port) throws IOException, InterruptedException {
        String metrics = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        double[] counts = new double[2];
        for (String line : metrics.split("\n")) {
            if (line.startsWith("sparseinfer_texts_total{")) {
                counts[0] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            } else if (line.startsWith("sparseinfer_forward_passes_total{")) {
                counts[1] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return counts;
    }

    /** The vector the server sent for one text, or null for any failure. */
    private float[] post(URI uri, String text) {
        String body = "{\"model\":\"m\",\"input\":" + new JsonPrimitive(text) + "}";
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(uri)
                            .timeout(Duration.ofSeconds(60))
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return null;
            }
            JsonArray a = JsonParser.parseString(r.body())
                    .getAsJsonObject()
                    .getAsJsonArray("data")
                    .get(0)
                    .getAsJsonObject()
                    .getAsJsonArray("embedding");
            float[] v = new float[a.size()];
            for (int k = 0; k < v.length; k++) {
                v[k] = a.get(k).getAsFloat();
            }
            return v;
        } catch (IOException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** {@code clients} one-text requests at once against a queue of {@code queue} texts: each must get 200 or 429. */
    private Burst burst(TextEncoder encoder, int clients, int queue) throws Exception {
        BatchPolicy policy = new BatchPolicy(BatchPolicy.AUTO, BatchPolicy.DEFAULT_MAX_WAIT_MICROS, true, queue);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        try (EmbeddingServer server = start(encoder, policy, queue)) {
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/v1/embeddings");
            CountDownLatch go = new CountDownLatch(1);
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int c = 0; c < clients; c++) {
                    String body = "{\"model\":\"m\",\"input\":" + new JsonPrimitive(texts.get(c % texts.size())) + "}";
                    pool.submit(() -> {
                        go.await();
                        try {
                            HttpResponse<Void> r = http.send(
                                    HttpRequest.newBuilder(uri)
                                            .timeout(Duration.ofSeconds(60))
                                            .POST(HttpRequest.BodyPublishers.ofString(body))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding());
                            (r.statusCode() == 200 ? ok : r.statusCode() == 429 ? refused : other).incrementAndGet();
                        } catch (IOException e) {
                            other.incrementAndGet();
                        }
                        return null;
                    });
                }
                go.countDown();
            }
        }
        return new Burst(clients, queue, ok.get(), refused.get(), other.get());
    }

    /** Texts per second embedding pre-tokenised batches for at least {@code seconds}, as {@code bench --batch N}. */
    private double textsPerSecond(EmbeddingRunner runner, int batch, double seconds) {
        List<TokenizedText> tokens = runner.tokenize(texts);
        long started = System.nanoTime();
        long done = 0;
        while (System.nanoTime() - started < seconds * 1e9) {
            for (int from = 0; from < tokens.size(); from += 32) {
                done += runner.embedBatch(tokens.subList(from, Math.min(tokens.size(), from + 32)))
                        .size();
            }
        }
        return done / ((System.nanoTime() - started) / 1e9);
    }

    private String report(
            String spec,
            int threads,
            int requests,
            List<Row> rows,
            double batch32,
            double before,
            double after,
            int[] sweep,
            double[] sweepRate,
            Burst burst,
            String[] args) {
        StringBuilder md = new StringBuilder();
        md.append("# sparseinfer serve: load test\n\n");
        md.append("Date: ")
                .append(LocalDate.now())
                .append(". Machine: ")
                .append(machine())
                .append(". Model: ")
                .append(spec)
                .append(", CPU backend, ")
                .append(threads)
                .append(" threads.\n");
        md.append("Command: `bench/run serve-load")
                .append(args.length == 0 ? "" : " " + String.join(" ", args))
                .append("`.\n\n");
        md.append(String.format(
                Locale.ROOT,
                "Batch-32 throughput of the same model in the same process (pre-tokenised, as `bench --batch 32`):"
                        + " %.1f texts/s (%.1f before the load runs, %.1f after). The same by batch size, two rounds"
                        + " interleaved, %.1f tokens per text:",
                batch32,
                before,
                after,
                tokensPerText));
        for (int i = 0; i < sweep.length; i++) {
            md.append(
                    String.format(Locale.ROOT, "%s batch %d: %.1f texts/s", i == 0 ? "" : ";", sweep[i], sweepRate[i]));
        }
        md.append(".\n\n");
        md.append("Each row: N clients, each sending one-text `POST /v1/embeddings` requests (float vectors) until ")
                .append(requests)
                .append(" are answered; wrong = answers missing, failed, or not their own text's vector.\n\n");
        md.append("| clients | batching | texts per pass | requests/s | vs batch-32 | p50 ms | p99 ms | wrong |\n");
        md.append("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Row r : rows) {
            md.append(String.format(
                    Locale.ROOT,
                    "| %d | %s | %.1f | %.1f | %.2f× | %.2f | %.2f | %d |%n",
                    r.clients(),
                    r.batching() ? "on" : "off",
                    r.perPass(),
                    r.perSecond(),
                    r.perSecond() / batch32,
                    r.percentileMillis(0.50),
                    r.percentileMillis(0.99),
                    r.wrong()));
        }
        md.append(String.format(
                Locale.ROOT,
                "%nOverload: %d one-text requests at once against a queue of %d texts: %d answered 200, %d refused"
                        + " with 429, %d anything else (time-outs, errors).%n",
                burst.clients(),
                burst.queue(),
                burst.ok(),
                burst.refused(),
                burst.other()));
        return md.toString();
    }

    /** CPU model, family and model numbers, whether it has AVX-512, and the cores this JVM sees. */
    private static String machine() {
        String name = System.getProperty("os.arch");
        String family = "?";
        String model = "?";
        boolean avx512 = false;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                String value = line.substring(line.indexOf(':') + 1).strip();
                if (line.startsWith("model name")) {
                    name = value;
                } else if (line.startsWith("cpu family")) {
                    family = value;
                } else if (line.startsWith("model\t") || line.startsWith("model :")) {
                    model = value;
                } else if (line.startsWith("flags")) {
                    avx512 = value.contains("avx512f");
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: the architecture alone.
        }
        return name + " (family " + family + ", model " + model + (avx512 ? ", AVX-512" : "") + "), "
                + Runtime.getRuntime().availableProcessors() + " cores";
    }

    /** The runner's encoder, left open when a server closes it, so one model serves every run. */
    private static TextEncoder keptOpen(TextEncoder encoder) {
        return new TextEncoder() {
            @Override
            public int dimension() {
                return encoder.dimension();
            }

            @Override
            public int maxTokens() {
                return encoder.maxTokens();
            }

            @Override
            public int vocabularySize() {
                return encoder.vocabularySize();
            }

            @Override
            public boolean normalizes() {
                return encoder.normalizes();
            }

            @Override
            public String backendName() {
                return encoder.backendName();
            }

            @Override
            public String backendDescription() {
                return encoder.backendDescription();
            }

            @Override
            public List<TokenizedText> tokenize(List<String> texts) {
                return encoder.tokenize(texts);
            }

            @Override
            public List<float[]> embed(List<TokenizedText> batch) {
                return encoder.embed(batch);
            }

            @Override
            public void close() {}
        };
    }
}
