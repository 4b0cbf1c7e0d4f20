package dev.sparseinfer.server;

import java.time.Duration;

/**
 * How the server listens and what it accepts.
 *
 * @param host            address to bind (127.0.0.1 by default, so nothing outside the machine reaches it)
 * @param port            TCP port; 0 picks a free one ({@link EmbeddingServer#port()} says which)
 * @param apiKey          the key clients must send as {@code Authorization: Bearer KEY}, or null for none
 * @param maxBodyBytes    larger request bodies get 413
 * @param maxInputs       more texts in one request get 413
 * @param requestTimeout  a request still waiting for its vectors after this long gets 503
 * @param batching        how each model's batcher merges requests
 * @param requestLog      whether each request is logged in one line
 */
public record ServerConfig(
        String host,
        int port,
        String apiKey,
        int maxBodyBytes,
        int maxInputs,
        Duration requestTimeout,
        BatchPolicy batching,
        boolean requestLog) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final int DEFAULT_MAX_BODY_BYTES = 4 << 20;
    /** OpenAI's own limit on inputs per embeddings request. */
    public static final int DEFAULT_MAX_INPUTS = 2048;

    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

    public ServerConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, got " + port);
        }
        if (apiKey != null && apiKey.isBlank()) {
            throw new IllegalArgumentException("the API key is blank");
        }
        if (maxBodyBytes < 1 || maxInputs < 1) {
            throw new IllegalArgumentException("body and input limits must be at least 1");
        }
        if (maxInputs > batching.maxQueuedTexts()) {
            throw new IllegalArgumentException("max inputs per request (" + maxInputs
                    + ") exceeds the queue's max texts (" + batching.maxQueuedTexts() + "): such a request could"
                    + " never be served");
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("the request timeout must be positive, got " + requestTimeout);
        }
    }

    public static ServerConfig defaults() {
        return new ServerConfig(
                DEFAULT_HOST,
                DEFAULT_PORT,
                null,
                DEFAULT_MAX_BODY_BYTES,
                DEFAULT_MAX_INPUTS,
                DEFAULT_REQUEST_TIMEOUT,
                BatchPolicy.defaults(),
                true);
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(host, p, apiKey, maxBodyBytes, maxInputs, requestTimeout, batching, requestLog);
    }

    public ServerConfig withHost(String h) {
        return new ServerConfig(h, port, apiKey, maxBodyBytes, maxInputs, requestTimeout, batching, requestLog);
    }

    public ServerConfig withApiKey(String key) {
        return new ServerConfig(host, port, key, maxBodyBytes, maxInputs, requestTimeout, batching, requestLog);
    }

    public ServerConfig withLimits(int bodyBytes, int inputs) {
        return new ServerConfig(host, port, apiKey, bodyBytes, inputs, requestTimeout, batching, requestLog);
    }

    public ServerConfig withRequestTimeout(Duration d) {
        return new ServerConfig(host, port, apiKey, maxBodyBytes, maxInputs, d, batching, requestLog);
    }

    public ServerConfig withBatching(BatchPolicy b) {
        return new ServerConfig(host, port, apiKey, maxBodyBytes, maxInputs, requestTimeout, b, requestLog);
    }

    public ServerConfig withRequestLog(boolean on) {
        return new ServerConfig(host, port, apiKey, maxBodyBytes, maxInputs, requestTimeout, batching, on);
    }
}
