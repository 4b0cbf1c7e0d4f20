package dev.sparseinfer.models;

import java.nio.file.Path;

/** Downloads a jar into a local Maven repository, at {@link MavenArtifact#jarIn(Path)}. */
interface ArtifactFetcher {

    /** Fetches the jar; fails with a one-line {@link dev.sparseinfer.engine.api.SparseInferException} if it cannot. */
    void fetch(MavenArtifact artifact, Path repository);
}
