package dev.sparseinfer.server;

/** A request's texts do not fit in its model's queue; the client should retry later (HTTP 429). */
final class QueueFullException extends Exception {

    QueueFullException(String message) {
        super(message, null, false, false);
    }
}
