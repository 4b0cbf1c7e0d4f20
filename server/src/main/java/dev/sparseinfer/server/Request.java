package dev.sparseinfer.server;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** The body of a request, read within the server's size limit and parsed as a JSON object. */
final class Request {

    /**
     * A body over the limit is still read and thrown away up to this many bytes before the 413 goes out, so the
     * client, still writing, gets the answer rather than a reset connection.
     */
    private static final long DRAIN_LIMIT = 64L << 20;

    private final HttpExchange exchange;
    private final int maxBodyBytes;

    Request(HttpExchange exchange, int maxBodyBytes) {
        this.exchange = exchange;
        this.maxBodyBytes = maxBodyBytes;
    }

    JsonObject jsonObject() {
        String body = new String(body(), StandardCharsets.UTF_8);
        JsonElement json;
        try {
            json = JsonParser.parseString(body);
        } catch (JsonParseException e) {
            throw ApiException.invalid(null, "the body is not valid JSON: " + firstLine(e));
        }
        if (!json.isJsonObject()) {
            throw ApiException.invalid(null, "the body must be a JSON object");
        }
        return json.getAsJsonObject();
    }

    private byte[] body() {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] buffer = new byte[Math.min(maxBodyBytes + 1, 1 << 16)];
            int length = 0;
            int n;
            while ((n = in.read(buffer, length, buffer.length - length)) > 0) {
                length += n;
                if (length > maxBodyBytes) {
                    drain(in);
                    throw ApiException.tooLarge(
                            null, "the body is larger than the limit of " + maxBodyBytes + " bytes");
                }
                if (length == buffer.length) {
                    buffer = Arrays.copyOf(buffer, Math.min(maxBodyBytes + 1, buffer.length * 2));
                }
            }
            return Arrays.copyOf(buffer, length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void drain(InputStream in) throws IOException {
        byte[] scratch = new byte[1 << 16];
        long drained = 0;
        int n;
        while (drained < DRAIN_LIMIT && (n = in.read(scratch)) > 0) {
            drained += n;
        }
    }

    private static String firstLine(Exception e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        String m = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return m.lines().findFirst().orElse(m);
    }
}
