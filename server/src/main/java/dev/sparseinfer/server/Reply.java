package dev.sparseinfer.server;

import java.nio.charset.StandardCharsets;

/**
 * A response body and what the request log says about it.
 *
 * @param status      HTTP status
 * @param contentType the body's media type
 * @param body        the body
 * @param logDetail   for the request log, e.g. {@code model=minilm inputs=3 tokens=21}; empty for none
 */
record Reply(int status, String contentType, byte[] body, String logDetail) {

    static final String JSON = "application/json";

    static Reply json(int status, CharSequence json, String logDetail) {
        return new Reply(status, JSON, json.toString().getBytes(StandardCharsets.UTF_8), logDetail);
    }
}
