package dev.sparseinfer.models;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The local Maven repository, where Maven keeps the jars it downloads: the system property
 * {@code maven.repo.local}, else the {@code <localRepository>} of {@code ~/.m2/settings.xml} when it is a plain
 * path (or starts with {@code ${user.home}}), else {@code ~/.m2/repository}.
 */
public final class LocalMavenRepository {

    private static final Pattern COMMENT = Pattern.compile("<!--.*?-->", Pattern.DOTALL);
    private static final Pattern LOCAL_REPOSITORY =
            Pattern.compile("<localRepository>\\s*([^<]*?)\\s*</localRepository>");

    private LocalMavenRepository() {}

    public static Path locate() {
        return locate(System.getProperty("maven.repo.local"), Path.of(System.getProperty("user.home")));
    }

    static Path locate(String property, Path home) {
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        return fromSettings(home.resolve(".m2").resolve("settings.xml"), home).orElse(defaultLocation(home));
    }

    /** Where Maven puts it when nothing says otherwise. */
    static Path defaultLocation() {
        return defaultLocation(Path.of(System.getProperty("user.home")));
    }

    private static Path defaultLocation(Path home) {
        return home.resolve(".m2").resolve("repository");
    }

    /** Only what a regular expression can read safely: a settings file using other properties is left to Maven. */
    private static Optional<Path> fromSettings(Path settings, Path home) {
        if (!Files.isRegularFile(settings)) {
            return Optional.empty();
        }
        String xml;
        try {
            xml = Files.readString(settings, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Optional.empty();
        }
        Matcher m = LOCAL_REPOSITORY.matcher(COMMENT.matcher(xml).replaceAll(""));
        if (!m.find()) {
            return Optional.empty();
        }
        String path = m.group(1).replace("${user.home}", home.toString());
        return path.isEmpty() || path.contains("${") ? Optional.empty() : Optional.of(Path.of(path));
    }
}
