package dev.sparseinfer.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelForTest {

    @Test
    void coversEveryIndexOnceWithAlignedChunkBounds() {
        for (int threads = 1; threads <= 4; threads++) {
            try (ParallelFor parallel = new ParallelFor(threads)) {
                for (int n : new int[] {0, 1, 5, 24, 100, 1537}) {
                    for (int align : new int[] {1, 4, 24}) {
                        AtomicIntegerArray hits = new AtomicIntegerArray(n);
                        int a = align;
                        int t = threads;
                        for (int repeat = 0; repeat < 50; repeat++) {
                            parallel.run(n, align, (from, to) -> {
                                assertTrue(
                                        from % a == 0,
                                        "chunk starts at " + from + ", align " + a + ", " + t + " threads");
                                for (int i = from; i < to; i++) {
                                    hits.incrementAndGet(i);
                                }
                            });
                        }
                        for (int i = 0; i < n; i++) {
                            assertEquals(
                                    50,
                                    hits.get(i),
                                    "index " + i + " of " + n + ", align " + a + ", " + t + " threads");
                        }
                    }
                }
            }
        }
    }

    @Test
    void rethrowsWhatAChunkThrewAndKeepsWorking() {
        try (ParallelFor parallel = new ParallelFor(2)) {
            IllegalStateException thrown = new IllegalStateException("chunk failed");
            for (int repeat = 0; repeat < 20; repeat++) {
                int failing = repeat % 2 == 0 ? 0 : 50;
                assertSame(
                        thrown,
                        assertThrows(
                                IllegalStateException.class,
                                () -> parallel.run(100, 1, (from, to) -> {
                                    if (from == failing) {
                                        throw thrown;
                                    }
                                })));
                AtomicIntegerArray hits = new AtomicIntegerArray(100);
                parallel.run(100, 1, (from, to) -> {
                    for (int i = from; i < to; i++) {
                        hits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < 100; i++) {
                    assertEquals(1, hits.get(i), "index " + i);
                }
            }
        }
    }

    @Test
    void concurrentCallersEachGetTheirWholeRange() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try (ParallelFor parallel = new ParallelFor(3)) {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                done.add(callers.submit(() -> {
                    for (int repeat = 0; repeat < 500; repeat++) {
                        AtomicIntegerArray hits = new AtomicIntegerArray(97);
                        parallel.run(97, 1, (from, to) -> {
                            for (int i = from; i < to; i++) {
                                hits.incrementAndGet(i);
                            }
                        });
                        for (int i = 0; i < 97; i++) {
                            assertEquals(1, hits.get(i), "index " + i);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            callers.shutdownNow();
        }
    }
}
