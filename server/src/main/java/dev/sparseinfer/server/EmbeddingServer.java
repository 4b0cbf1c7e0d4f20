package dev.sparseinfer.server;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The embedding server: listens at once (so {@code /health} can say it is loading), answers for each model given to
 * {@link #serve} once {@link #ready} is called, and on {@link #close} stops listening, finishes the requests in
 * flight and closes the models.
 *
 * <pre>{@code
 * EmbeddingServer server = EmbeddingServer.listen(ServerConfig.defaults(), log);
 * server.serve("minilm", TextEncoder.of(EmbeddingRunner.open(path, options)));
 * server.ready();
 * }</pre>
 */
public final class EmbeddingServer implements AutoCloseable {

    private enum State {
        LOADING,
        READY,
        STOPPING
    }

    /**
     * A path the server answers.
     *
     * @param method        the one method it takes
     * @param authenticated whether it needs the API key, when one is set
     * @param teiErrors     whether errors take TEI's shape ({@code {"error","error_type"}}) rather than OpenAI's
     */
    private record Endpoint(String method, boolean authenticated, boolean teiErrors, Handler handler) {}

    private interface Handler {
        Reply handle(HttpExchange exchange);
    }

    /** Connections the kernel holds for us while every handler is busy; a burst of clients must not be refused. */
    private static final int BACKLOG = 1024;

    private final ServerConfig config;
    private final PrintWriter log;
    private final HttpServer http;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final ServerMetrics metrics = new ServerMetrics();
    private final ModelTable models = new ModelTable();
    private final Map<String, Endpoint> endpoints;
    private final AtomicLong answered = new AtomicLong();
    private final byte[] apiKey;
    private volatile State state = State.LOADING;

    private EmbeddingServer(ServerConfig config, PrintWriter log) throws IOException {
        this.config = config;
        this.log = log;
        this.apiKey = config.apiKey() == null ? null : ("Bearer " + config.apiKey()).getBytes(StandardCharsets.UTF_8);
        this.endpoints = Map.of(
                "/v1/embeddings", new Endpoint("POST", true, false, this::openAiEmbeddings),
                "/embed", new Endpoint("POST", true, true, this::teiEmbed),
                "/v1/models", new Endpoint("GET", true, false, e -> modelList()),
                "/health", new Endpoint("GET", false, false, e -> health()),
                "/metrics", new Endpoint("GET", true, false, e -> metrics()));
        this.http = HttpServer.create(new InetSocketAddress(config.host(), config.port()), BACKLOG);
        http.setExecutor(executor);
        http.createContext("/", this::dispatch);
        http.start();
    }

    /** Starts listening; {@code /health} answers 503 until {@link #ready}. */
    public static EmbeddingServer listen(ServerConfig config, PrintWriter log) throws IOException {
        return new EmbeddingServer(config, log);
    }

    /** Answers for {@code encoder} under {@code name} from {@link #ready} on; the server closes it on close. */
    public void serve(String name, TextEncoder encoder) {
        models.add(new ServedModel(name, encoder, config.batching(), metrics));
    }

    /** Starts answering embedding requests, and says so in one line. */
    public void ready() {
        state = State.READY;
        List<String> served = new ArrayList<>();
        for (ServedModel m : models.all()) {
            TextEncoder e = m.encoder();
            served.add(String.format(
                    Locale.ROOT,
                    "%s (%d dimensions, %d tokens, %s, passes of up to %d tokens)",
                    m.name(),
                    e.dimension(),
                    e.maxTokens(),
                    e.backendDescription(),
                    m.maxBatchTokens()));
        }
        BatchPolicy b = config.batching();
        log.println("sparseinfer: serving " + String.join(", ", served) + " at http://" + config.host() + ":"
                + port() + "/ ("
                + (b.merge() ? "batching, up to " + b.maxWaitMicros() + " µs wait" : "no batching")
                + (config.apiKey() == null ? "" : ", API key required") + ")");
    }

    /** The port listened on, the one picked when the config asked for 0. */
    public int port() {
        return http.getAddress().getPort();
    }

    private void dispatch(HttpExchange exchange) {
        long started = System.nanoTime();
        String path = exchange.getRequestURI().getPath();
        Endpoint endpoint = endpoints.get(path);
        Reply reply;
        try {
            reply = answer(exchange, path, endpoint);
        } catch (ApiException e) {
            reply = error(exchange, e, endpoint != null && endpoint.teiErrors());
        } catch (RuntimeException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            ApiException internal = new ApiException(
                    500,
                    "server_error",
                    null,
                    "internal_error",
                    message.lines().findFirst().orElse(""),
                    0);
            reply = error(exchange, internal, endpoint != null && endpoint.teiErrors());
        }
        send(exchange, reply);
        long nanos = System.nanoTime() - started;
        metrics.request(endpoint == null ? "other" : path, reply.status(), nanos);
        answered.incrementAndGet();
        if (config.requestLog()) {
            log.printf(
                    Locale.ROOT,
                    "%s %s %d %.1f ms %s%s%n",
                    exchange.getRequestMethod(),
                    path,
                    reply.status(),
                    nanos / 1e6,
                    exchange.getRemoteAddress().getAddress().getHostAddress(),
                    reply.logDetail().isEmpty() ? "" : " " + reply.logDetail());
        }
    }

    private Reply answer(HttpExchange exchange, String path, Endpoint endpoint) {
        if (endpoint == null) {
            throw ApiException.notFound(null, "not_found", "no such path: " + path);
        }
        if (!endpoint.method().equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", endpoint.method());
            throw new ApiException(
                    405,
                    ApiException.INVALID_REQUEST,
                    null,
                    "method_not_allowed",
                    path + " takes " + endpoint.method() + ", not " + exchange.getRequestMethod(),
                    0);
        }
        if (endpoint.authenticated() && apiKey != null) {
            authenticate(exchange);
        }
        return endpoint.handler().handle(exchange);
    }

    private void authenticate(HttpExchange exchange) {
        String given = exchange.getRequestHeaders().getFirst("Authorization");
        if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), apiKey)) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            throw new ApiException(
                    401,
                    ApiException.INVALID_REQUEST,
                    null,
                    "invalid_api_key",
                    given == null
                            ? "no API key: send it as 'Authorization: Bearer KEY'"
                            : "incorrect API key in the Authorization header",
                    0);
        }
    }

    private Reply openAiEmbeddings(HttpExchange exchange) {
        JsonObject body = requireReady(exchange);
        return OpenAiEmbeddings.handle(body, models, config.maxInputs(), config.requestTimeout());
    }

    private Reply teiEmbed(HttpExchange exchange) {
        JsonObject body = requireReady(exchange);
        return TeiEmbed.handle(body, models, config.maxInputs(), config.requestTimeout());
    }

    private JsonObject requireReady(HttpExchange exchange) {
        JsonObject body = new Request(exchange, config.maxBodyBytes()).jsonObject();
        if (state == State.LOADING) {
            throw ApiException.unavailable("loading", "the models are still loading");
        }
        return body;
    }

    private Reply modelList() {
        JsonArray data = new JsonArray();
        for (ServedModel m : models.all()) {
            JsonObject o = new JsonObject();
            o.addProperty("id", m.name());
            o.addProperty("object", "model");
            o.addProperty("created", m.createdEpochSeconds());
            o.addProperty("owned_by", "sparseinfer");
            o.addProperty("dimensions", m.encoder().dimension());
            o.addProperty("max_tokens", m.encoder().maxTokens());
            o.addProperty("backend", m.encoder().backendDescription());
            data.add(o);
        }
        JsonObject list = new JsonObject();
        list.addProperty("object", "list");
        list.add("data", data);
        return Reply.json(200, list.toString(), "");
    }

    private Reply health() {
        return switch (state) {
            case READY -> Reply.json(200, "{\"status\":\"ok\"}", "");
            case LOADING -> Reply.json(503, "{\"status\":\"loading\"}", "");
            case STOPPING -> Reply.json(503, "{\"status\":\"stopping\"}", "");
        };
    }

    private Reply metrics() {
        return new Reply(
                200,
                "text/plain; version=0.0.4; charset=utf-8",
                metrics.exposition().getBytes(StandardCharsets.UTF_8),
                "");
    }

    private static Reply error(HttpExchange exchange, ApiException e, boolean teiShape) {
        if (e.retryAfterSeconds > 0) {
            exchange.getResponseHeaders().set("Retry-After", Integer.toString(e.retryAfterSeconds));
        }
        JsonObject body = new JsonObject();
        if (teiShape) {
            body.addProperty("error", e.getMessage());
            body.addProperty("error_type", teiErrorType(e.status));
        } else {
            JsonObject error = new JsonObject();
            error.addProperty("message", e.getMessage());
            error.addProperty("type", e.type);
            error.addProperty("param", e.param);
            error.addProperty("code", e.code);
            body.add("error", error);
        }
        return Reply.json(e.status, ServerJson.GSON.toJson(body), "error=" + e.code);
    }

    private static String teiErrorType(int status) {
        return switch (status) {
            case 429 -> "Overloaded";
            case 503 -> "Unhealthy";
            case 500 -> "Backend";
            default -> "Validation";
        };
    }

    private static void send(HttpExchange exchange, Reply reply) {
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", reply.contentType());
            exchange.sendResponseHeaders(reply.status(), reply.body().length == 0 ? -1 : reply.body().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(reply.body());
            }
        } catch (IOException e) {
            // The client went away; there is no one left to tell.
        }
    }

    /**
     * Stops listening, waits for the requests in flight (at most the request timeout and a second), runs what is
     * queued, closes the models, and says so in one line.
     */
    @Override
    public void close() {
        if (state == State.STOPPING) {
            return;
        }
        state = State.STOPPING;
        http.stop((int) Math.min(Integer.MAX_VALUE, config.requestTimeout().toSeconds() + 1));
        for (ServedModel m : models.all()) {
            m.close();
        }
        executor.close();
        log.println("sparseinfer: stopped; " + answered.get() + " requests answered");
    }
}
