package dev.sparseinfer.models;

import java.nio.file.Path;

/**
 * A jar on Maven Central.
 *
 * @param jarBytes the jar's size, to tell users what fetching it downloads
 */
public record MavenArtifact(String groupId, String artifactId, String version, long jarBytes) {

    /** {@code groupId:artifactId:version}, as Maven's {@code -Dartifact} takes it. */
    public String coordinates() {
        return groupId + ":" + artifactId + ":" + version;
    }

    /** Where Maven keeps the jar in a local repository. */
    public Path jarIn(Path repository) {
        return repository
                .resolve(groupId.replace('.', '/'))
                .resolve(artifactId)
                .resolve(version)
                .resolve(artifactId + "-" + version + ".jar");
    }
}
