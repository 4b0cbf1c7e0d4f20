package dev.sparseinfer.models;

import dev.sparseinfer.engine.api.SparseInferException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Fetches a jar by running Maven ({@code mvn dependency:get}) as the user would: Maven's own settings, mirrors,
 * proxies and credentials apply, and SparseInfer names no repository itself.
 */
record MavenCommand(Path executable) implements ArtifactFetcher {

    /** {@code mvn} in the first directory of a PATH-style list that has it. */
    static Optional<MavenCommand> onPath(String path) {
        if (path == null) {
            return Optional.empty();
        }
        boolean windows = File.separatorChar == '\\';
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isBlank()) {
                continue;
            }
            for (String name : windows ? List.of("mvn.cmd", "mvn.bat") : List.of("mvn")) {
                Path candidate = Path.of(dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(new MavenCommand(candidate));
                }
            }
        }
        return Optional.empty();
    }

    /** The command to type to fetch the jar into {@code repository}; it names the repository only when not the default. */
    static String commandLine(MavenArtifact artifact, Path repository) {
        return "mvn " + String.join(" ", arguments(artifact, repository));
    }

    @Override
    public void fetch(MavenArtifact artifact, Path repository) {
        List<String> command = new ArrayList<>(List.of(executable.toString(), "-B", "-q", "-Dstyle.color=never"));
        command.addAll(arguments(artifact, repository));
        Path log = null;
        Path workDir = null;
        try {
            log = Files.createTempFile("sparseinfer-mvn", ".log");
            // An empty working directory: a pom.xml where the user stands would make Maven build that project's model
            // first.
            workDir = Files.createTempDirectory("sparseinfer-mvn");
            Process process = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            int exit = process.waitFor();
            if (exit != 0) {
                throw new SparseInferException(
                        SparseInferException.Code.IO,
                        "Maven could not fetch " + artifact.coordinates() + " (exit " + exit + firstError(log)
                                + "); command: " + commandLine(artifact, repository));
            }
        } catch (IOException e) {
            throw new SparseInferException(
                    SparseInferException.Code.IO,
                    "cannot run " + executable + " to fetch " + artifact.coordinates() + ": " + e.getMessage(),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SparseInferException(
                    SparseInferException.Code.IO, "interrupted while Maven fetched " + artifact.coordinates(), e);
        } finally {
            delete(log);
            delete(workDir);
        }
    }

    private static List<String> arguments(MavenArtifact artifact, Path repository) {
        List<String> arguments = new ArrayList<>(
                List.of("dependency:get", "-Dartifact=" + artifact.coordinates(), "-Dtransitive=false"));
        if (!repository.equals(LocalMavenRepository.defaultLocation())) {
            arguments.add("-Dmaven.repo.local=" + repository);
        }
        return arguments;
    }

    /** Maven's first {@code [ERROR]} line, which names the cause (artifact not found, no network, ...). */
    private static String firstError(Path log) throws IOException {
        return Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                .map(line -> line.replaceAll("\u001B\\[[0-9;]*m", "").strip())
                .filter(line -> line.startsWith("[ERROR]") && line.length() > "[ERROR]".length())
                .findFirst()
                .map(line -> ": " + line.substring("[ERROR]".length()).strip())
                .orElse("");
    }

    private static void delete(Path path) {
        if (path == null) {
            return;
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            path.toFile().deleteOnExit();
        }
    }
}
