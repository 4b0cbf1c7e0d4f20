package dev.sparseinfer.engine.io.packed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.EmbeddingModel;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.model.bert.BertWeights;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.engine.testing.TinyTokenizer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A packed file loaded 1,000 times (each load maps the file, checks its digests, reads every tensor and unmaps it),
 * or opened as a running model, used and closed 1,000 times (the model keeps the file mapped until it is closed),
 * leaves nothing behind: no open file descriptor, no mapping of the file, and no heap that survives a GC.
 */
class PackedModelLeakTest {

    private static final BertConfig CONFIG = new BertConfig(64, 32, 2, 4, 48, 16, 2, 1e-12, BertConfig.GELU);
    private static final int LOADS = 1000;

    @TempDir
    Path dir;

    @Test
    void loadingAThousandTimesLeaksNoDescriptorMappingOrHeap() throws IOException {
        Path file = dir.resolve("model.safetensors");
        PackedModel.write(
                new LoadedModel(RandomBert.weights(CONFIG, new Random(Seeds.fresh())), "{}", "random"), "{}", file);
        PackedModel.load(file); // first use: classes loaded, caches filled
        long heap = heapAfterGc();
        long descriptors = settledDescriptors();

        for (int i = 0; i < LOADS; i++) {
            assertEquals(CONFIG, PackedModel.load(file).weights().config());
        }

        long grown = heapAfterGc() - heap;
        assertEquals(descriptors, settledDescriptors(), "open file descriptors");
        assertEquals(0, mappingsOf(file), "mappings of the file left in /proc/self/maps");
        // One load holds about 40 KB of weights; a leak of one per load would be 40 MB.
        assertTrue(grown < 4L << 20, "heap grew by " + grown + " bytes over " + LOADS + " loads");
    }

    @Test
    void openingEmbeddingAndClosingAThousandTimesLeaksNoDescriptorMappingOrHeap() throws IOException {
        Path file = dir.resolve("runnable.safetensors");
        BertWeights weights = RandomBert.weights(CONFIG, new Random(Seeds.fresh()));
        PackedModel.write(new LoadedModel(weights, TinyTokenizer.json(), "random"), "{}", file);
        ModelOptions cpu = ModelOptions.defaults().withBackend(BackendKind.CPU).withThreads(1);
        try (EmbeddingModel first = EmbeddingModel.open(file, cpu)) {
            first.embed("the cat sat"); // first use: classes loaded, caches filled
            assertTrue(mappingsOf(file) > 0, "an open model keeps its file mapped");
        }
        long heap = heapAfterGc();
        long descriptors = settledDescriptors();

        for (int i = 0; i < LOADS; i++) {
            try (EmbeddingModel model = EmbeddingModel.open(file, cpu)) {
                assertEquals(CONFIG.hiddenSize(), model.embed("the cat sat").vector().length, "open " + i);
            }
        }

        long grown = heapAfterGc() - heap;
        assertEquals(descriptors, settledDescriptors(), "open file descriptors");
        assertEquals(0, mappingsOf(file), "mappings of the file left in /proc/self/maps");
        assertTrue(grown < 4L << 20, "heap grew by " + grown + " bytes over " + LOADS + " opens");
    }

    /**
     * The open descriptors once the count stops moving. Descriptors that earlier tests left unreachable are closed
     * by cleaner threads some time after a collection, not during it; counted before they were, the baseline was
     * one too high and a later count looked like a descriptor had gone.
     */
    private static long settledDescriptors() throws IOException {
        long count = openDescriptors();
        for (int attempt = 0; attempt < 20; attempt++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            long next = openDescriptors();
            if (next == count) {
                break;
            }
            count = next;
        }
        return count;
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static long mappingsOf(Path file) throws IOException {
        String name = file.toRealPath().toString();
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(l -> l.endsWith(name))
                .count();
    }

    private static long heapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
