package dev.sparseinfer.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The HTTP protocol against a fake model: answers, and every kind of bad request with its status and body. */
class EmbeddingServerTest {

    private static final String KEY = "test-key";
    private static final String GOOD = "{\"model\":\"fake\",\"input\":[\"one\",\"two words\"]}";

    private static EmbeddingServer server;
    private static Http http;
    private static final StringWriter log = new StringWriter();

    @BeforeAll
    static void start() throws Exception {
        ServerConfig config = ServerConfig.defaults()
                .withPort(0)
                .withApiKey(KEY)
                .withLimits(1 << 20, 64)
                .withBatching(new BatchPolicy(64, 0, true, 256));
        server = EmbeddingServer.listen(config, new PrintWriter(log, true));
        http = new Http(server.port(), KEY);
        assertEquals(503, http.get("/health").statusCode(), "health before the models are loaded");
        assertError(http.post("/v1/embeddings", GOOD), 503, "loading");
        server.serve("fake", new FakeEncoder(true));
        server.serve("raw", new FakeEncoder(false));
        server.ready();
    }

    @AfterAll
    static void stop() {
        server.close();
        assertTrue(
                log.toString()
                        .contains(
                                "sparseinfer: serving fake (4 dimensions, 8 tokens, fake (test), passes of up to 64 tokens)"),
                log::toString);
        assertTrue(log.toString().contains("sparseinfer: stopped; "), log::toString);
    }

    @Test
    void answersOpenAiRequestsInInputOrderWithUsage() {
        HttpResponse<String> r = http.post("/v1/embeddings", GOOD);
        assertEquals(200, r.statusCode(), r.body());
        JsonObject body = Http.json(r).getAsJsonObject();
        assertEquals("list", body.get("object").getAsString());
        assertEquals("fake", body.get("model").getAsString());
        JsonArray data = body.getAsJsonArray("data");
        assertEquals(2, data.size());
        assertEquals(1, data.get(1).getAsJsonObject().get("index").getAsInt());
        assertArrayEquals(
                FakeEncoder.vector("one", true),
                floats(data.get(0).getAsJsonObject().get("embedding")));
        assertArrayEquals(
                FakeEncoder.vector("two words", true),
                floats(data.get(1).getAsJsonObject().get("embedding")));
        JsonObject usage = body.getAsJsonObject("usage");
        assertEquals(3 + 4, usage.get("prompt_tokens").getAsInt());
        assertEquals(3 + 4, usage.get("total_tokens").getAsInt());
    }

    @Test
    void base64IsLittleEndianFloat32() {
        HttpResponse<String> r =
                http.post("/v1/embeddings", "{\"input\":\"one\",\"model\":\"fake\",\"encoding_format\":\"base64\"}");
        assertEquals(200, r.statusCode(), r.body());
        String encoded = Http.json(r)
                .getAsJsonObject()
                .getAsJsonArray("data")
                .get(0)
                .getAsJsonObject()
                .get("embedding")
                .getAsString();
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(encoded)).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[FakeEncoder.DIMENSION];
        bytes.asFloatBuffer().get(v);
        assertEquals(FakeEncoder.DIMENSION * Float.BYTES, bytes.capacity());
        assertArrayEquals(FakeEncoder.vector("one", true), v);
    }

    @Test
    void dimensionsTruncatesAndRenormalises() {
        HttpResponse<String> r = http.post("/v1/embeddings", "{\"input\":\"one\",\"model\":\"fake\",\"dimensions\":2}");
        assertEquals(200, r.statusCode(), r.body());
        float[] v = floats(Http.json(r)
                .getAsJsonObject()
                .getAsJsonArray("data")
                .get(0)
                .getAsJsonObject()
                .get("embedding"));
        float[] expected = VectorJson.truncate(FakeEncoder.vector("one", true), 2, true);
        assertArrayEquals(expected, v);
        assertEquals(1.0, Math.hypot(v[0], v[1]), 1e-6);
    }

    @Test
    void tokenIdsRunAsTheModelsOwn() {
        HttpResponse<String> r = http.post("/v1/embeddings", "{\"input\":[[101,7,102],[101,102]],\"model\":\"fake\"}");
        assertEquals(200, r.statusCode(), r.body());
        JsonArray data = Http.json(r).getAsJsonObject().getAsJsonArray("data");
        assertArrayEquals(
                FakeEncoder.vector(new int[] {101, 7, 102}, true),
                floats(data.get(0).getAsJsonObject().get("embedding")));
        assertArrayEquals(
                FakeEncoder.vector(new int[] {101, 102}, true),
                floats(data.get(1).getAsJsonObject().get("embedding")));
    }

    @Test
    void teiEmbedAnswersArraysAndNormalisesRawModelsOnRequest() {
        HttpResponse<String> r = http.post("/embed", "{\"inputs\":[\"one\",\"two words\"]}");
        assertEquals(200, r.statusCode(), r.body());
        JsonArray vectors = Http.json(r).getAsJsonArray();
        assertArrayEquals(FakeEncoder.vector("one", true), floats(vectors.get(0)));
        assertArrayEquals(FakeEncoder.vector("two words", true), floats(vectors.get(1)));

        HttpResponse<String> raw = http.post("/embed", "{\"inputs\":\"one\",\"model\":\"raw\",\"normalize\":false}");
        assertArrayEquals(
                FakeEncoder.vector("one", false),
                floats(Http.json(raw).getAsJsonArray().get(0)));
        HttpResponse<String> normalized = http.post("/embed", "{\"inputs\":\"one\",\"model\":\"raw\"}");
        assertArrayEquals(
                FakeEncoder.vector("one", true),
                floats(Http.json(normalized).getAsJsonArray().get(0)));
    }

    @Test
    void teiErrorsTakeTeiShape() {
        HttpResponse<String> r = http.post("/embed", "{\"inputs\":\"one\",\"normalize\":false}");
        assertEquals(400, r.statusCode());
        JsonObject body = Http.json(r).getAsJsonObject();
        assertEquals("Validation", body.get("error_type").getAsString());
        assertTrue(body.get("error").getAsString().contains("--no-normalize"), r.body());

        String tooLong = "{\"inputs\":\"a b c d e f g h i j\"}";
        assertEquals(413, http.post("/embed", tooLong).statusCode());
        assertEquals(
                200,
                http.post("/embed", tooLong.replace("}", ",\"truncate\":true}")).statusCode());
    }

    @Test
    void listsModelsAndReportsHealth() {
        HttpResponse<String> r = http.get("/v1/models");
        assertEquals(200, r.statusCode());
        JsonArray data = Http.json(r).getAsJsonObject().getAsJsonArray("data");
        assertEquals(
                List.of("fake", "raw"),
                data.asList().stream()
                        .map(m -> m.getAsJsonObject().get("id").getAsString())
                        .toList());
        assertEquals(
                "{\"status\":\"ok\"}",
                new Http(server.port(), null).get("/health").body());
    }

    @Test
    void exposesPrometheusMetrics() {
        http.post("/v1/embeddings", GOOD);
        HttpResponse<String> r = http.get("/metrics");
        assertEquals(200, r.statusCode());
        String text = r.body();
        assertTrue(text.contains("sparseinfer_requests_total{endpoint=\"/v1/embeddings\",status=\"200\"}"), text);
        assertTrue(
                text.contains("sparseinfer_request_duration_seconds_bucket{endpoint=\"/v1/embeddings\",le=\"+Inf\"}"),
                text);
        assertTrue(text.contains("sparseinfer_batch_size_count{model=\"fake\"}"), text);
        assertTrue(text.contains("sparseinfer_queue_depth{model=\"fake\"} 0"), text);
        assertTrue(text.contains("sparseinfer_tokens_total{model=\"fake\"}"), text);
        assertTrue(text.contains("sparseinfer_backend_info{model=\"fake\",backend=\"fake (test)\"} 1"), text);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            malformed JSON       | {"input": ["one",      | 400 | invalid_value
            not an object        | ["one"]                | 400 | invalid_value
            input missing        | {"model":"fake"}       | 400 | invalid_value
            input a number       | {"model":"fake","input":7} | 400 | invalid_value
            input an object      | {"model":"fake","input":{"a":1}} | 400 | invalid_value
            text not a string    | {"model":"fake","input":["one",2]} | 400 | invalid_value
            empty input          | {"model":"fake","input":[]} | 400 | invalid_value
            empty text           | {"model":"fake","input":""} | 400 | invalid_value
            mixed token arrays   | {"model":"fake","input":[[101,102],"x"]} | 400 | invalid_value
            negative token id    | {"model":"fake","input":[101,-1,102]} | 400 | invalid_value
            token id past vocab  | {"model":"fake","input":[101,5000,102]} | 400 | invalid_value
            too many token ids   | {"model":"fake","input":[1,2,3,4,5,6,7,8,9]} | 400 | invalid_value
            model not a string   | {"model":3,"input":"one"} | 400 | invalid_value
            model missing        | {"input":"one"}        | 400 | invalid_value
            unknown model        | {"model":"gpt-4","input":"one"} | 404 | model_not_found
            bad encoding format  | {"model":"fake","input":"one","encoding_format":"int8"} | 400 | invalid_value
            dimensions too large | {"model":"fake","input":"one","dimensions":5} | 400 | invalid_value
            dimensions zero      | {"model":"fake","input":"one","dimensions":0} | 400 | invalid_value
            dimensions a string  | {"model":"fake","input":"one","dimensions":"2"} | 400 | invalid_value
            more inputs than 64  | MANY_INPUTS            | 413 | request_too_large
            nested 100,000 deep  | DEEP                   | 400 | invalid_value
            """)
    void refusesBadRequestsAndKeepsServing(String what, String body, int status, String code) {
        if (body.equals("MANY_INPUTS")) {
            body = "{\"model\":\"fake\",\"input\":[" + "\"x\",".repeat(64) + "\"x\"]}";
        } else if (body.equals("DEEP")) {
            body = "{\"input\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        }
        assertError(http.post("/v1/embeddings", body), status, code);
        assertEquals(200, http.post("/v1/embeddings", GOOD).statusCode(), "after " + what);
    }

    @Test
    void refusesABodyOverTheLimitWith413() {
        byte[] body = new byte[10 << 20];
        Arrays.fill(body, (byte) ' ');
        assertError(http.post("/v1/embeddings", body), 413, "request_too_large");
        assertEquals(200, http.post("/v1/embeddings", GOOD).statusCode());
    }

    @Test
    void refusesAHundredThousandTexts() {
        String body = IntStream.range(0, 100_000)
                .mapToObj(i -> "\"t\"")
                .collect(Collectors.joining(",", "{\"model\":\"fake\",\"input\":[", "]}"));
        assertError(http.post("/v1/embeddings", body.getBytes(StandardCharsets.UTF_8)), 413, "request_too_large");
        assertEquals(200, http.post("/v1/embeddings", GOOD).statusCode());
    }

    @Test
    void refusesMissingOrWrongApiKeysExceptOnHealth() {
        Http anonymous = new Http(server.port(), null);
        assertError(anonymous.post("/v1/embeddings", GOOD), 401, "invalid_api_key");
        assertError(new Http(server.port(), "wrong").post("/v1/embeddings", GOOD), 401, "invalid_api_key");
        assertError(anonymous.get("/metrics"), 401, "invalid_api_key");
        assertEquals(200, anonymous.get("/health").statusCode());
    }

    @Test
    void unknownPathsGet404AndWrongMethods405() {
        assertError(http.get("/v1/chat/completions"), 404, "not_found");
        HttpResponse<String> r = http.get("/v1/embeddings");
        assertError(r, 405, "method_not_allowed");
        assertEquals("POST", r.headers().firstValue("Allow").orElseThrow());
        assertError(http.method("DELETE", "/health"), 405, "method_not_allowed");
    }

    static void assertError(HttpResponse<String> r, int status, String code) {
        assertEquals(status, r.statusCode(), r.body());
        JsonObject error = Http.json(r).getAsJsonObject().getAsJsonObject("error");
        assertEquals(code, error.get("code").getAsString(), r.body());
        assertTrue(error.has("message") && error.has("type") && error.has("param"), r.body());
        assertTrue(!error.get("message").getAsString().isBlank(), r.body());
    }

    static float[] floats(JsonElement array) {
        JsonArray a = array.getAsJsonArray();
        float[] v = new float[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).getAsFloat();
        }
        return v;
    }
}
