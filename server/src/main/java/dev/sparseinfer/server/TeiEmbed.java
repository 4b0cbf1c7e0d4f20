package dev.sparseinfer.server;

import com.google.gson.JsonObject;
import java.time.Duration;

/**
 * {@code POST /embed} as Text Embeddings Inference defines it: {@code inputs}, {@code normalize} (default true),
 * {@code truncate} (default false: a text that fills the model's window is refused); answers with an array of
 * vectors in input order.
 */
final class TeiEmbed {

    private TeiEmbed() {}

    static Reply handle(JsonObject body, ModelTable models, int maxInputs, Duration timeout) {
        ServedModel model = models.pick(body, true);
        EmbeddingInput input = EmbeddingInput.parse(body.get("inputs"), "inputs", maxInputs);
        boolean normalize = JsonFields.bool(body, "normalize", true);
        boolean truncate = JsonFields.bool(body, "truncate", false);
        boolean normalized = model.encoder().normalizes();
        if (!normalize && normalized) {
            throw ApiException.invalid(
                    "normalize",
                    "model '" + model.name() + "' is served normalised; start the server with --no-normalize to get"
                            + " raw vectors (normalize=true then normalises them per request)");
        }
        ServedModel.Embedded embedded = model.embed(input, "inputs", truncate, timeout);
        float[][] vectors = embedded.vectors();
        StringBuilder json = new StringBuilder(vectors.length * 4200 + 2);
        json.append('[');
        for (int i = 0; i < vectors.length; i++) {
            float[] v = vectors[i];
            if (normalize && !normalized) {
                v = v.clone();
                VectorJson.normalizeInPlace(v);
            }
            if (i > 0) {
                json.append(',');
            }
            VectorJson.array(json, v);
        }
        json.append(']');
        return Reply.json(200, json, OpenAiEmbeddings.logDetail(model, vectors.length, embedded.tokens()));
    }
}
