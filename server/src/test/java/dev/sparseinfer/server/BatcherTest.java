package dev.sparseinfer.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.tokenizer.TokenizedText;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How the batcher merges, splits and refuses, with a fake model held busy at a gate. */
class BatcherTest {

    private final FakeEncoder encoder = new FakeEncoder(true);

    private Batcher batcher(int maxBatchTokens, boolean merge, int maxQueued) {
        return new Batcher("fake", encoder, new BatchPolicy(maxBatchTokens, 0, merge, maxQueued), new ServerMetrics());
    }

    @Test
    void mergesRequestsQueuedWhileAPassRuns() throws Exception {
        try (Batcher batcher = batcher(1000, true, 100)) {
            encoder.closeGate();
            CompletableFuture<float[][]> first = submit(batcher, texts("first"));
            encoder.awaitPassAtGate();
            List<CompletableFuture<float[][]>> queued = new ArrayList<>();
            for (String text : List.of("a", "b c", "d e f")) {
                queued.add(submit(batcher, texts(text)));
            }
            encoder.openGate();
            assertArrayEquals(FakeEncoder.vector("first", true), first.get(10, TimeUnit.SECONDS)[0]);
            assertArrayEquals(FakeEncoder.vector("b c", true), queued.get(1).get(10, TimeUnit.SECONDS)[0]);
            assertEquals(List.of(1, 3), encoder.passSizes);
        }
    }

    @Test
    void withoutMergingEachRequestRunsAlone() throws Exception {
        try (Batcher batcher = batcher(1000, false, 100)) {
            encoder.closeGate();
            submit(batcher, texts("first"));
            encoder.awaitPassAtGate();
            List<CompletableFuture<float[][]>> queued = new ArrayList<>();
            queued.add(submit(batcher, texts("a", "b")));
            queued.add(submit(batcher, texts("c")));
            encoder.openGate();
            for (CompletableFuture<float[][]> f : queued) {
                f.get(10, TimeUnit.SECONDS);
            }
            assertEquals(List.of(1, 2, 1), encoder.passSizes);
        }
    }

    @Test
    void splitsARequestOverPassesByTokensAndKeepsItsOrder() throws Exception {
        List<String> words = List.of("a", "b b", "c c c", "d", "e e", "f f f f", "g");
        try (Batcher batcher = batcher(10, true, 100)) {
            float[][] vectors =
                    submit(batcher, texts(words.toArray(String[]::new))).get(10, TimeUnit.SECONDS);
            for (int i = 0; i < words.size(); i++) {
                assertArrayEquals(FakeEncoder.vector(words.get(i), true), vectors[i], "text " + i);
            }
            // Token counts 3,4,5,3,4,6,3 make passes of 7, 8, 10 and 3 tokens.
            assertEquals(List.of(2, 2, 2, 1), encoder.passSizes);
        }
    }

    @Test
    void aTextLongerThanTheBudgetRunsAlone() throws Exception {
        try (Batcher batcher = batcher(2, true, 100)) {
            float[][] vectors = submit(batcher, texts("x y z", "w")).get(10, TimeUnit.SECONDS);
            assertEquals(2, vectors.length);
            assertEquals(List.of(1, 1), encoder.passSizes);
        }
    }

    @Test
    void refusesTextsBeyondTheQueueAndDropsCancelledOnes() throws Exception {
        try (Batcher batcher = batcher(1000, true, 3)) {
            encoder.closeGate();
            submit(batcher, texts("running"));
            encoder.awaitPassAtGate();
            CompletableFuture<float[][]> cancelled = submit(batcher, texts("a", "b"));
            CompletableFuture<float[][]> kept = submit(batcher, texts("c"));
            assertEquals(3, batcher.queuedTexts());
            assertThrows(QueueFullException.class, () -> submit(batcher, texts("d")));
            cancelled.cancel(false);
            encoder.openGate();
            kept.get(10, TimeUnit.SECONDS);
            assertEquals(List.of(1, 1), encoder.passSizes);
            assertEquals(0, batcher.queuedTexts());
        }
    }

    @Test
    void closeRunsWhatIsQueuedThenRefuses() throws Exception {
        Batcher batcher = batcher(1000, true, 100);
        encoder.closeGate();
        submit(batcher, texts("running"));
        encoder.awaitPassAtGate();
        CompletableFuture<float[][]> queued = submit(batcher, texts("queued"));
        Thread closer = Thread.ofVirtual().start(batcher::close);
        encoder.openGate();
        closer.join();
        assertTrue(queued.isDone() && !queued.isCompletedExceptionally());
        assertThrows(IllegalStateException.class, () -> submit(batcher, texts("late")));
    }

    @Test
    void aLoneRequestDoesNotWaitButAnAnnouncedOneIsWaitedFor() throws Exception {
        BatchPolicy waitAMinute = new BatchPolicy(1000, 60_000_000, true, 100);
        try (Batcher batcher = new Batcher("fake", encoder, waitAMinute, new ServerMetrics())) {
            submit(batcher, texts("alone")).get(10, TimeUnit.SECONDS);
            batcher.announce();
            batcher.announce();
            CompletableFuture<float[][]> first = batcher.submit(texts("first"));
            CompletableFuture<float[][]> second = batcher.submit(texts("second"));
            first.get(10, TimeUnit.SECONDS);
            second.get(10, TimeUnit.SECONDS);
            assertEquals(List.of(1, 2), encoder.passSizes);
        }
    }

    /** Announces and queues, as a request does. */
    private static CompletableFuture<float[][]> submit(Batcher batcher, List<TokenizedText> texts)
            throws QueueFullException {
        batcher.announce();
        return batcher.submit(texts);
    }

    private static List<TokenizedText> texts(String... texts) {
        List<TokenizedText> out = new ArrayList<>();
        for (String t : texts) {
            out.add(FakeEncoder.tokens(t));
        }
        return out;
    }
}
