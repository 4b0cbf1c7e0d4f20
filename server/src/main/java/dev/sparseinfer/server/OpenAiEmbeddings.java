package dev.sparseinfer.server;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.time.Duration;

/**
 * {@code POST /v1/embeddings} as OpenAI defines it: {@code input}, {@code model}, {@code encoding_format}
 * ({@code float} or {@code base64}), {@code dimensions}; answers with the vectors in input order and the tokens
 * used. Texts longer than the model's window are cut to it, as {@code sparseinfer embed} does.
 */
final class OpenAiEmbeddings {

    private OpenAiEmbeddings() {}

    static Reply handle(JsonObject body, ModelTable models, int maxInputs, Duration timeout) {
        ServedModel model = models.pick(body, false);
        EmbeddingInput input = EmbeddingInput.parse(body.get("input"), "input", maxInputs);
        String format = JsonFields.string(body, "encoding_format", "float");
        if (!format.equals("float") && !format.equals("base64")) {
            throw ApiException.invalid(
                    "encoding_format", "'encoding_format' must be float or base64, got '" + format + "'");
        }
        int dimensions = JsonFields.positiveInt(body, "dimensions");
        int full = model.encoder().dimension();
        if (dimensions > full) {
            throw ApiException.invalid(
                    "dimensions", "'dimensions' is " + dimensions + ", but model '" + model.name() + "' has " + full);
        }
        ServedModel.Embedded embedded = model.embed(input, "input", true, timeout);
        boolean base64 = format.equals("base64");
        StringBuilder json = new StringBuilder(embedded.vectors().length * (base64 ? 2100 : 4200) + 200);
        json.append("{\"object\":\"list\",\"data\":[");
        float[][] vectors = embedded.vectors();
        for (int i = 0; i < vectors.length; i++) {
            float[] v = dimensions == 0 || dimensions == full
                    ? vectors[i]
                    : VectorJson.truncate(
                            vectors[i], dimensions, model.encoder().normalizes());
            json.append(i > 0 ? "," : "")
                    .append("{\"object\":\"embedding\",\"index\":")
                    .append(i)
                    .append(",\"embedding\":");
            if (base64) {
                VectorJson.base64(json, v);
            } else {
                VectorJson.array(json, v);
            }
            json.append('}');
        }
        json.append("],\"model\":")
                .append(new JsonPrimitive(model.name()))
                .append(",\"usage\":{\"prompt_tokens\":")
                .append(embedded.tokens())
                .append(",\"total_tokens\":")
                .append(embedded.tokens())
                .append("}}");
        return Reply.json(200, json, logDetail(model, vectors.length, embedded.tokens()));
    }

    static String logDetail(ServedModel model, int inputs, long tokens) {
        return "model=" + model.name() + " inputs=" + inputs + " tokens=" + tokens;
    }
}
