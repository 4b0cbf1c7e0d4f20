package dev.sparseinfer.server;

/**
 * A request the server refuses or cannot serve: the HTTP status, and the OpenAI error's type, parameter and code
 * (param and code may be null).
 */
final class ApiException extends RuntimeException {

    static final String INVALID_REQUEST = "invalid_request_error";

    final int status;
    final String type;
    final String param;
    final String code;
    /** Seconds for a Retry-After header, or 0 for none. */
    final int retryAfterSeconds;

    ApiException(int status, String type, String param, String code, String message, int retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    static ApiException invalid(String param, String message) {
        return new ApiException(400, INVALID_REQUEST, param, "invalid_value", message, 0);
    }

    static ApiException tooLarge(String param, String message) {
        return new ApiException(413, INVALID_REQUEST, param, "request_too_large", message, 0);
    }

    static ApiException notFound(String param, String code, String message) {
        return new ApiException(404, INVALID_REQUEST, param, code, message, 0);
    }

    static ApiException unavailable(String code, String message) {
        return new ApiException(503, "server_error", null, code, message, 1);
    }
}
