package dev.sparseinfer.cli;

import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.runtime.EmbeddingRunner;
import dev.sparseinfer.models.ModelRegistry;
import dev.sparseinfer.server.BatchPolicy;
import dev.sparseinfer.server.EmbeddingServer;
import dev.sparseinfer.server.ServerConfig;
import dev.sparseinfer.server.TextEncoder;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        header = "Serves embeddings over HTTP: OpenAI's /v1/embeddings and TEI's /embed.",
        description = {
            "Endpoints: POST /v1/embeddings, POST /embed, GET /v1/models, GET /health, GET /metrics (docs/server.md).",
            "Concurrent requests are merged into forward passes of up to --max-batch-tokens tokens, started once",
            "full or once the first text has waited --max-wait-us. Runs until SIGTERM or Ctrl-C, then finishes",
            "the requests in flight. The API key may also come from $SPARSEINFER_API_KEY."
        })
final class ServeCommand implements Callable<Integer> {

    static final String API_KEY_VARIABLE = "SPARSEINFER_API_KEY";

    @Option(
            names = "--model",
            required = true,
            paramLabel = "[NAME=]SPEC",
            description = "A model to serve, under NAME (default: a built-in name as given, a file's name without"
                    + " extension, a directory's name); repeat for several. SPEC as for 'embed'.")
    List<String> models;

    @Option(
            names = "--host",
            paramLabel = "ADDR",
            defaultValue = ServerConfig.DEFAULT_HOST,
            description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
    String host;

    @Option(
            names = "--port",
            paramLabel = "N",
            defaultValue = "" + ServerConfig.DEFAULT_PORT,
            description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(
            names = "--api-key",
            paramLabel = "KEY",
            description = "Require 'Authorization: Bearer KEY' on every endpoint but /health.")
    String apiKey;

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

    @Mixin
    RecipeOptions recipe;

    @Option(
            names = "--max-batch-tokens",
            paramLabel = "N",
            defaultValue = "" + BatchPolicy.AUTO,
            description = "Tokens per forward pass at most (default: 512 on the CPU, 8192 on a GPU).")
    int maxBatchTokens;

    @Option(
            names = "--max-wait-us",
            paramLabel = "N",
            defaultValue = "" + BatchPolicy.DEFAULT_MAX_WAIT_MICROS,
            description = "Microseconds the first queued text waits for others (default: ${DEFAULT-VALUE}).")
    long maxWaitMicros;

    @Option(names = "--no-batching", description = "Run each request in its own forward pass.")
    boolean noBatching;

    @Option(
            names = "--max-queue",
            paramLabel = "N",
            defaultValue = "" + BatchPolicy.DEFAULT_MAX_QUEUED_TEXTS,
            description = "Texts waiting per model at most; more get 429 (default: ${DEFAULT-VALUE}).")
    int maxQueue;

    @Option(
            names = "--max-inputs",
            paramLabel = "N",
            defaultValue = "" + ServerConfig.DEFAULT_MAX_INPUTS,
            description = "Texts per request at most; more get 413 (default: ${DEFAULT-VALUE}).")
    int maxInputs;

    @Option(
            names = "--max-body-bytes",
            paramLabel = "N",
            defaultValue = "" + ServerConfig.DEFAULT_MAX_BODY_BYTES,
            description = "Request body size at most; larger get 413 (default: ${DEFAULT-VALUE}).")
    int maxBodyBytes;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            defaultValue = "30",
            description = "A request without its vectors after this long gets 503 (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--no-request-log", description = "Do not log one line per request on stderr.")
    boolean noRequestLog;

    @Mixin
    VerboseOption verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        ServerConfig config = config();
        List<ServedModelSpec> served =
                models.stream().map(ServedModelSpec::parse).toList();
        Set<String> names = new HashSet<>();
        for (ServedModelSpec m : served) {
            if (!names.add(m.name())) {
                throw SparseInferException.invalidArgument(
                        "two models are named '" + m.name() + "': name one of them with --model NAME=SPEC");
            }
        }
        ModelOptions options = recipe.apply(ModelOptions.defaults()
                .withBackend(BackendKind.parse(backend))
                .withThreads(threads.value())
                .withPrecision(precision.value())
                .withSparseDetection(formats.detect()));
        PrintWriter err = spec.commandLine().getErr();
        // The JDK server reads these once; they close connections whose headers or answer take longer than the timeout.
        System.setProperty("sun.net.httpserver.maxReqTime", Long.toString(timeoutSeconds));
        System.setProperty("sun.net.httpserver.maxRspTime", Long.toString(timeoutSeconds));
        EmbeddingServer server = EmbeddingServer.listen(config, err);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(
                () -> {
                    server.close();
                    stopped.countDown();
                },
                "sparseinfer-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            for (ServedModelSpec m : served) {
                EmbeddingRunner runner =
                        EmbeddingRunner.open(ModelRegistry.standard().resolve(m.spec()), options);
                runner.modelNotice().ifPresent(notice -> err.println("sparseinfer: " + m.name() + ": " + notice));
                runner.backendNotice().ifPresent(notice -> err.println("sparseinfer: " + notice));
                server.serve(m.name(), TextEncoder.of(runner));
            }
        } catch (RuntimeException e) {
            Runtime.getRuntime().removeShutdownHook(hook);
            server.close();
            throw e;
        }
        server.ready();
        stopped.await();
        return 0;
    }

    private ServerConfig config() {
        String key = apiKey != null ? apiKey : System.getenv(API_KEY_VARIABLE);
        try {
            return new ServerConfig(
                    host,
                    port,
                    key == null || key.isEmpty() ? null : key,
                    maxBodyBytes,
                    maxInputs,
                    Duration.ofSeconds(timeoutSeconds),
                    new BatchPolicy(maxBatchTokens, maxWaitMicros, !noBatching, maxQueue),
                    !noRequestLog);
        } catch (IllegalArgumentException e) {
            throw SparseInferException.invalidArgument(e.getMessage());
        }
    }
}
