package dev.sparseinfer.engine.api;

/**
 * The one exception type SparseInfer throws at its users. The message is a single line that names the file,
 * tensor or option at fault; {@link #code()} says which kind of failure it is, so callers (and the CLI's exit
 * status) can tell a bad argument from a bad file from a missing backend.
 *
 * <p>Unchecked on purpose: embedding calls sit inside streams and lambdas in user code, where a checked type
 * only gets wrapped.
 */
public final class SparseInferException extends RuntimeException {

    /** What kind of failure this is. */
    public enum Code {
        /** An option or argument the caller passed is invalid. */
        INVALID_ARGUMENT,
        /** A model file or directory is malformed, truncated or inconsistent. */
        INVALID_MODEL,
        /** Reading or writing a file failed. */
        IO,
        /** The requested backend cannot run on this machine. */
        BACKEND_UNAVAILABLE,
        /** The tokenizer rejected its configuration or input. */
        TOKENIZER
    }

    private final Code code;

    public SparseInferException(Code code, String message) {
        super(oneLine(message));
        this.code = code;
    }

    public SparseInferException(Code code, String message, Throwable cause) {
        super(oneLine(message), cause);
        this.code = code;
    }

    /**
     * Messages quote names read from files (tensors, nodes, metadata keys), which may hold any character: line
     * breaks and other control characters are written as Java-style backslash-u escapes (four hex digits), so a
     * hostile file cannot make an error span lines or forge a log line.
     */
    private static String oneLine(String message) {
        if (message == null || message.chars().noneMatch(Character::isISOControl)) {
            return message;
        }
        StringBuilder out = new StringBuilder(message.length() + 16);
        message.chars().forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.append((char) c);
            }
        });
        return out.toString();
    }

    public Code code() {
        return code;
    }

    public static SparseInferException invalidModel(String message) {
        return new SparseInferException(Code.INVALID_MODEL, message);
    }

    public static SparseInferException invalidArgument(String message) {
        return new SparseInferException(Code.INVALID_ARGUMENT, message);
    }
}
