package dev.sparseinfer.models;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Shared fixtures: the built-in model extracted once per build, and the project's own test texts. */
public final class TestModels {

    private TestModels() {}

    /** A registry whose cache lives in the build directory, so tests never touch the user's cache. */
    public static ModelRegistry registry() {
        return new ModelRegistry(Path.of("target", "test-cache").toAbsolutePath());
    }

    public static Path minilm() {
        return registry().extract(ModelRegistry.MINILM);
    }

    /** 230 varied texts: short, past the truncation limit, many scripts, emoji, blank-looking lines. */
    public static List<String> variedTexts() {
        try (InputStream in = TestModels.class.getResourceAsStream("/varied-texts.txt")) {
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return Arrays.asList(all.split("\n", -1))
                    .subList(0, (int) all.chars().filter(c -> c == '\n').count());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
