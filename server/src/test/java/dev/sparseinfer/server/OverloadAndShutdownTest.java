package dev.sparseinfer.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonArray;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Many clients at once, a full queue, a request that waits too long, and stopping with requests in flight. */
class OverloadAndShutdownTest {

    private static ServerConfig config(int maxQueued, Duration timeout) {
        return ServerConfig.defaults()
                .withPort(0)
                .withLimits(1 << 20, maxQueued)
                .withRequestTimeout(timeout)
                .withBatching(new BatchPolicy(64, 1000, true, maxQueued))
                .withRequestLog(false);
    }

    @Test
    void concurrentClientsEachGetTheirOwnVectorsInOrder() throws Exception {
        long seed = System.nanoTime();
        FakeEncoder encoder = new FakeEncoder(true);
        try (EmbeddingServer server = EmbeddingServer.listen(config(1024, Duration.ofSeconds(30)), quiet());
                ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            server.serve("fake", encoder);
            server.ready();
            Http http = new Http(server.port(), null);
            Random random = new Random(seed);
            List<List<String>> requests = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                List<String> texts = new ArrayList<>();
                for (int t = random.nextInt(1, 5); t > 0; t--) {
                    texts.add("client " + i + " text " + t + " w" + random.nextInt(1000));
                }
                requests.add(texts);
            }
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (List<String> texts : requests) {
                String body = "{\"input\":" + ServerJson.GSON.toJson(texts) + "}";
                answers.add(clients.submit(() -> http.post("/v1/embeddings", body)));
            }
            for (int i = 0; i < requests.size(); i++) {
                HttpResponse<String> r = answers.get(i).get();
                assertEquals(200, r.statusCode(), "seed " + seed + ": " + r.body());
                JsonArray data = Http.json(r).getAsJsonObject().getAsJsonArray("data");
                assertEquals(requests.get(i).size(), data.size(), "seed " + seed);
                for (int t = 0; t < data.size(); t++) {
                    assertArrayEquals(
                            FakeEncoder.vector(requests.get(i).get(t), true),
                            EmbeddingServerTest.floats(
                                    data.get(t).getAsJsonObject().get("embedding")),
                            "seed " + seed + ", request " + i + ", text " + t);
                }
            }
            int texts = requests.stream().mapToInt(List::size).sum();
            assertEquals(
                    texts,
                    encoder.passSizes.stream().mapToInt(Integer::intValue).sum(),
                    "seed " + seed);
        }
    }

    @Test
    void aFullQueueAnswers429WithRetryAfter() throws Exception {
        FakeEncoder encoder = new FakeEncoder(true);
        try (EmbeddingServer server = EmbeddingServer.listen(config(3, Duration.ofSeconds(30)), quiet())) {
            server.serve("fake", encoder);
            server.ready();
            Http http = new Http(server.port(), null);
            encoder.closeGate();
            CompletableFuture<HttpResponse<String>> running =
                    CompletableFuture.supplyAsync(() -> http.post("/embed", "{\"inputs\":\"running\"}"));
            encoder.awaitPassAtGate();
            // Three texts fill the queue, one more passes it: whichever request comes second gets 429.
            CompletableFuture<HttpResponse<String>> three =
                    CompletableFuture.supplyAsync(() -> http.post("/v1/embeddings", "{\"input\":[\"a\",\"b\",\"c\"]}"));
            CompletableFuture<HttpResponse<String>> one =
                    CompletableFuture.supplyAsync(() -> http.post("/v1/embeddings", "{\"input\":\"d\"}"));
            CompletableFuture.anyOf(three, one).get();
            encoder.openGate();
            assertEquals(200, running.get().statusCode());
            HttpResponse<String> refused = three.get().statusCode() == 429 ? three.get() : one.get();
            HttpResponse<String> served = refused == three.get() ? one.get() : three.get();
            EmbeddingServerTest.assertError(refused, 429, "queue_full");
            assertEquals("1", refused.headers().firstValue("Retry-After").orElseThrow());
            assertEquals(200, served.statusCode(), served.body());
        }
    }

    @Test
    void aRequestWaitingPastTheTimeoutGets503() throws Exception {
        FakeEncoder encoder = new FakeEncoder(true);
        try (EmbeddingServer server = EmbeddingServer.listen(config(16, Duration.ofMillis(300)), quiet())) {
            server.serve("fake", encoder);
            server.ready();
            Http http = new Http(server.port(), null);
            encoder.closeGate();
            HttpResponse<String> r = http.post("/v1/embeddings", "{\"input\":\"slow\"}");
            encoder.openGate();
            EmbeddingServerTest.assertError(r, 503, "timeout");
            assertEquals(
                    200, http.post("/v1/embeddings", "{\"input\":\"fast\"}").statusCode());
        }
    }

    @Test
    void closingFinishesRequestsInFlightThenRefusesConnections() throws Exception {
        FakeEncoder encoder = new FakeEncoder(true);
        StringWriter log = new StringWriter();
        EmbeddingServer server = EmbeddingServer.listen(config(16, Duration.ofSeconds(30)), new PrintWriter(log, true));
        server.serve("fake", encoder);
        server.ready();
        Http http = new Http(server.port(), null);
        encoder.closeGate();
        CompletableFuture<HttpResponse<String>> inFlight =
                CompletableFuture.supplyAsync(() -> http.post("/v1/embeddings", "{\"input\":\"in flight\"}"));
        encoder.awaitPassAtGate();
        Thread closer = Thread.ofVirtual().start(server::close);
        encoder.openGate();
        closer.join();
        assertEquals(200, inFlight.get().statusCode());
        assertThrows(UncheckedIOException.class, () -> http.get("/health"));
        assertEquals(true, log.toString().contains("stopped; 1 requests answered"), log.toString());
    }

    private static PrintWriter quiet() {
        return new PrintWriter(new StringWriter(), true);
    }
}
