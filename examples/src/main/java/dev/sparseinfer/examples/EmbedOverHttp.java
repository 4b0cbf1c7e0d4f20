package dev.sparseinfer.examples;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.sparseinfer.engine.api.Similarity;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

/**
 * Asks a running {@code sparseinfer serve} for embeddings over its OpenAI-compatible API with nothing but the JDK's
 * HTTP client, and prints how alike each pair of texts is.
 *
 * <p>Usage: {@code EmbedOverHttp [BASE_URL [MODEL]]}, by default {@code http://127.0.0.1:8080 minilm}; the API key,
 * if the server wants one, comes from {@code $SPARSEINFER_API_KEY}.
 */
public final class EmbedOverHttp {

    private static final List<String> TEXTS = List.of(
            "The cat sat on the mat.", "A kitten was sitting on the rug.", "Interest rates rose again this quarter.");

    private EmbedOverHttp() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        String base = args.length > 0 ? args[0] : "http://127.0.0.1:8080";
        String model = args.length > 1 ? args[1] : "minilm";
        String key = System.getenv().getOrDefault("SPARSEINFER_API_KEY", "");
        String body = new Gson().toJson(Map.of("model", model, "input", TEXTS));
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v1/embeddings"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response;
        try (HttpClient client = HttpClient.newHttpClient()) {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        }
        JsonObject answer = JsonParser.parseString(response.body()).getAsJsonObject();
        if (response.statusCode() != 200) {
            System.err.println("server said " + response.statusCode() + ": "
                    + answer.getAsJsonObject("error").get("message").getAsString());
            System.exit(1);
        }
        JsonArray data = answer.getAsJsonArray("data");
        float[][] vectors = new float[data.size()][];
        for (int i = 0; i < vectors.length; i++) {
            vectors[i] = new Gson().fromJson(data.get(i).getAsJsonObject().get("embedding"), float[].class);
        }
        System.out.println(vectors.length + " embeddings of " + vectors[0].length + " dimensions, "
                + answer.getAsJsonObject("usage").get("total_tokens") + " tokens");
        for (int i = 0; i < vectors.length; i++) {
            for (int j = i + 1; j < vectors.length; j++) {
                System.out.printf(
                        "%.3f  %s | %s%n", Similarity.cosine(vectors[i], vectors[j]), TEXTS.get(i), TEXTS.get(j));
            }
        }
    }
}
