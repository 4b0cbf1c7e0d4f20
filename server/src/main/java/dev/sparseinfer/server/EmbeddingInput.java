package dev.sparseinfer.server;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.List;

/** What a request asks to embed: texts, or texts already turned into the model's token ids. */
sealed interface EmbeddingInput {

    int size();

    record Texts(List<String> texts) implements EmbeddingInput {
        @Override
        public int size() {
            return texts.size();
        }
    }

    /** Token ids of the model's own vocabulary, special tokens included as given. */
    record TokenIds(List<int[]> ids) implements EmbeddingInput {
        @Override
        public int size() {
            return ids.size();
        }
    }

    /**
     * Reads {@code input} (OpenAI) or {@code inputs} (TEI): a string, an array of strings, an array of token ids, or
     * an array of arrays of token ids. Counts inputs before reading them, so an oversized request is refused
     * cheaply.
     */
    static EmbeddingInput parse(JsonElement element, String param, int maxInputs) {
        if (element == null || element.isJsonNull()) {
            throw ApiException.invalid(param, "'" + param + "' is missing");
        }
        if (element.isJsonPrimitive()) {
            return new Texts(List.of(text(element, param)));
        }
        if (!element.isJsonArray()) {
            throw ApiException.invalid(
                    param, "'" + param + "' must be a string, an array of strings or an array of token arrays");
        }
        JsonArray array = element.getAsJsonArray();
        if (array.isEmpty()) {
            throw ApiException.invalid(param, "'" + param + "' is an empty array");
        }
        JsonElement first = array.get(0);
        if (first.isJsonPrimitive() && first.getAsJsonPrimitive().isNumber()) {
            return new TokenIds(List.of(tokenIds(array, param)));
        }
        if (array.size() > maxInputs) {
            throw ApiException.tooLarge(
                    param, "'" + param + "' has " + array.size() + " inputs, more than the limit of " + maxInputs);
        }
        if (first.isJsonArray()) {
            List<int[]> ids = new ArrayList<>(array.size());
            for (int i = 0; i < array.size(); i++) {
                JsonElement e = array.get(i);
                if (!e.isJsonArray()) {
                    throw ApiException.invalid(param, param + "[" + i + "] is not a token array like " + param + "[0]");
                }
                ids.add(tokenIds(e.getAsJsonArray(), param + "[" + i + "]"));
            }
            return new TokenIds(ids);
        }
        List<String> texts = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            texts.add(text(array.get(i), param + "[" + i + "]"));
        }
        return new Texts(texts);
    }

    private static String text(JsonElement e, String where) {
        if (!(e instanceof JsonPrimitive p) || !p.isString()) {
            throw ApiException.invalid(where, where + " must be a string");
        }
        String s = p.getAsString();
        if (s.isEmpty()) {
            throw ApiException.invalid(where, where + " is an empty string");
        }
        return s;
    }

    private static int[] tokenIds(JsonArray array, String where) {
        if (array.isEmpty()) {
            throw ApiException.invalid(where, where + " is an empty token array");
        }
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonElement e = array.get(i);
            if (!(e instanceof JsonPrimitive p) || !p.isNumber()) {
                throw ApiException.invalid(where, where + "[" + i + "] must be a token id (an integer)");
            }
            double v = p.getAsDouble();
            if (v != Math.rint(v) || v < 0 || v > Integer.MAX_VALUE) {
                throw ApiException.invalid(where, where + "[" + i + "] is not a token id: " + p.getAsString());
            }
            ids[i] = (int) v;
        }
        return ids;
    }
}
