package dev.sparseinfer.models;

/**
 * A file inside a model's jar, with what it must hash to: extraction refuses any other content, so a cached model is
 * always the one this build was tested with.
 *
 * @param resource its name inside the jar (and on the class path)
 * @param sha256   lower-case hex SHA-256 of its bytes
 * @param bytes    its size
 */
public record PackagedFile(String resource, String sha256, long bytes) {}
