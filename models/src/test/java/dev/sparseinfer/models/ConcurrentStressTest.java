package dev.sparseinfer.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.Embedding;
import dev.sparseinfer.engine.api.EmbeddingModel;
import dev.sparseinfer.engine.api.ModelOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One loaded model shared by 8 threads that embed different texts, in different orders, for a while (the system
 * property {@code stress.seconds}, 30 by default): every result must equal, bit for bit, the vector a single
 * thread got for the same text. Each text is always embedded in the same batch of {@value #BATCH}, as in the
 * single-threaded run, since a text's place in a batch may change the kernels' summation order.
 */
class ConcurrentStressTest {

    private static final int THREADS = 8;
    private static final int BATCH = 4;

    @Test
    void eightThreadsSharingOneModelGetExactlyTheSingleThreadedVectors() throws Exception {
        long seconds = Long.getLong("stress.seconds", 30);
        long seed = Long.getLong("tests.seed", System.nanoTime());
        List<List<String>> batches = batches(TestModels.variedTexts());
        ModelOptions options =
                ModelOptions.defaults().withBackend(BackendKind.CPU).withThreads(2);
        try (EmbeddingModel model = EmbeddingModel.open(TestModels.minilm(), options)) {
            // Twice, so the reference is taken once the JIT has compiled the kernels (see ConcurrentEmbeddingTest).
            embedAll(model, batches);
            List<List<Embedding>> expected = embedAll(model, batches);

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<Long>> callers = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    Random random = new Random(seed + t);
                    callers.add(pool.submit(() -> {
                        long compared = 0;
                        while (System.nanoTime() < deadline) {
                            int b = random.nextInt(batches.size());
                            List<Embedding> got = model.embed(batches.get(b));
                            for (int i = 0; i < got.size(); i++) {
                                Embedding want = expected.get(b).get(i);
                                if (want.tokens() != got.get(i).tokens()
                                        || !Arrays.equals(
                                                want.vector(), got.get(i).vector())) {
                                    fail("text " + (b * BATCH + i) + " differs from the single-threaded run (seed="
                                            + seed + ")");
                                }
                                compared++;
                            }
                        }
                        return compared;
                    }));
                }
                long total = 0;
                for (Future<Long> caller : callers) {
                    long compared = caller.get();
                    assertTrue(compared > 0, "every thread embedded something");
                    total += compared;
                }
                System.out.printf(
                        "ConcurrentStressTest: %d threads, %d s, %d embeddings, all equal to the single-threaded run%n",
                        THREADS, seconds, total);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static List<List<String>> batches(List<String> texts) {
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < texts.size(); i += BATCH) {
            out.add(texts.subList(i, Math.min(texts.size(), i + BATCH)));
        }
        return out;
    }

    private static List<List<Embedding>> embedAll(EmbeddingModel model, List<List<String>> batches) {
        List<List<Embedding>> out = new ArrayList<>();
        for (List<String> batch : batches) {
            List<Embedding> result = model.embed(batch);
            assertEquals(batch.size(), result.size());
            out.add(result);
        }
        return out;
    }
}
