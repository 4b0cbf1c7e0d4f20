package dev.sparseinfer.engine.backend;

/** An embedding table ({@code [entries, width]}) as a backend keeps it. */
public interface PreparedTable {

    int entries();

    int width();
}
