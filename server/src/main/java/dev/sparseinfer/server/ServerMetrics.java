package dev.sparseinfer.server;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The server's Prometheus metrics, written in the text exposition format by hand: a handful of counters, gauges and
 * histograms do not justify a metrics library.
 */
final class ServerMetrics {

    private static final double[] LATENCY_SECONDS = {
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30
    };
    private static final double[] BATCH_TEXTS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

    private record ModelMetrics(
            String backend,
            IntSupplier queueDepth,
            Histogram batchTexts,
            LongAdder passes,
            LongAdder texts,
            LongAdder tokens) {}

    /** Keyed by endpoint and status, sorted so the exposition is stable. */
    private final Map<String, LongAdder> requests = new ConcurrentSkipListMap<>();

    private final Map<String, Histogram> latency = new ConcurrentSkipListMap<>();
    private final Map<String, ModelMetrics> models = new ConcurrentHashMap<>();

    void addModel(String model, String backend, IntSupplier queueDepth) {
        models.put(
                model,
                new ModelMetrics(
                        backend,
                        queueDepth,
                        new Histogram(BATCH_TEXTS),
                        new LongAdder(),
                        new LongAdder(),
                        new LongAdder()));
    }

    /** A request answered; {@code endpoint} is one of the server's paths, or "other", so labels stay few. */
    void request(String endpoint, int status, long nanos) {
        requests.computeIfAbsent(labels("endpoint", endpoint, "status", Integer.toString(status)), k -> new LongAdder())
                .increment();
        latency.computeIfAbsent(labels("endpoint", endpoint), k -> new Histogram(LATENCY_SECONDS))
                .observe(nanos / 1e9);
    }

    /** A forward pass of {@code texts} texts, {@code tokens} tokens in all. */
    void pass(String model, int texts, int tokens) {
        ModelMetrics m = models.get(model);
        if (m != null) {
            m.batchTexts().observe(texts);
            m.passes().increment();
            m.texts().add(texts);
            m.tokens().add(tokens);
        }
    }

    String exposition() {
        StringBuilder out = new StringBuilder(4096);
        header(out, "sparseinfer_requests_total", "counter", "HTTP requests answered, by endpoint and status.");
        requests.forEach((labels, n) -> out.append("sparseinfer_requests_total{")
                .append(labels)
                .append("} ")
                .append(n.sum())
                .append('\n'));
        header(out, "sparseinfer_request_duration_seconds", "histogram", "Time from request to response.");
        latency.forEach((labels, h) -> h.write(out, "sparseinfer_request_duration_seconds", labels));
        var sorted = new ConcurrentSkipListMap<>(models);
        header(out, "sparseinfer_batch_size", "histogram", "Texts per forward pass.");
        sorted.forEach((model, m) -> m.batchTexts().write(out, "sparseinfer_batch_size", labels("model", model)));
        gauge(
                out,
                sorted,
                "sparseinfer_queue_depth",
                "Texts waiting for a forward pass.",
                m -> m.queueDepth().getAsInt());
        counter(
                out,
                sorted,
                "sparseinfer_forward_passes_total",
                "Forward passes run.",
                m -> m.passes().sum());
        counter(
                out,
                sorted,
                "sparseinfer_texts_total",
                "Texts embedded.",
                m -> m.texts().sum());
        counter(
                out,
                sorted,
                "sparseinfer_tokens_total",
                "Tokens embedded (rate() gives tokens/s).",
                m -> m.tokens().sum());
        header(out, "sparseinfer_backend_info", "gauge", "The backend each model runs on (always 1).");
        sorted.forEach((model, m) -> out.append("sparseinfer_backend_info{")
                .append(labels("model", model, "backend", m.backend()))
                .append("} 1\n"));
        return out.toString();
    }

    private interface Value {
        long of(ModelMetrics m);
    }

    private static void gauge(StringBuilder out, Map<String, ModelMetrics> models, String name, String help, Value v) {
        header(out, name, "gauge", help);
        values(out, models, name, v);
    }

    private static void counter(
            StringBuilder out, Map<String, ModelMetrics> models, String name, String help, Value v) {
        header(out, name, "counter", help);
        values(out, models, name, v);
    }

    private static void values(StringBuilder out, Map<String, ModelMetrics> models, String name, Value v) {
        models.forEach((model, m) -> out.append(name)
                .append('{')
                .append(labels("model", model))
                .append("} ")
                .append(v.of(m))
                .append('\n'));
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /** {@code k1="v1",k2="v2"} with the values escaped as the exposition format asks. */
    static String labels(String... keysAndValues) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (i > 0) {
                out.append(',');
            }
            out.append(keysAndValues[i]).append("=\"");
            for (char c : keysAndValues[i + 1].toCharArray()) {
                switch (c) {
                    case '\\' -> out.append("\\\\");
                    case '"' -> out.append("\\\"");
                    case '\n' -> out.append("\\n");
                    default -> out.append(c);
                }
            }
            out.append('"');
        }
        return out.toString();
    }
}
