package dev.sparseinfer.models.evaluate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.engine.tokenizer.TokenizedText;
import dev.sparseinfer.models.evaluate.LatencyBenchmark.BatchEmbedder;
import dev.sparseinfer.models.evaluate.LatencyBenchmark.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Warm-up, round-robin timed passes and per-text samples, on embedders that record what they were asked. */
class LatencyBenchmarkTest {

    /** Embeds each text as {@code [name, first token id]} and logs every call, timed or not. */
    private record Recording(float name, List<String> log) implements BatchEmbedder {
        @Override
        public List<float[]> embed(List<TokenizedText> batch) {
            log.add(name + ":" + batch.size());
            return batch.stream().map(t -> new float[] {name, t.ids()[0]}).toList();
        }
    }

    private static List<TokenizedText> texts(int count) {
        Random random = new Random(Seeds.fresh());
        List<TokenizedText> texts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            texts.add(new TokenizedText(new int[] {random.nextInt(30_000), 102}, new int[2]));
        }
        return texts;
    }

    @Test
    void interleavedPassesGoRoundRobinAfterEveryWarmUp() throws Exception {
        List<TokenizedText> texts = texts(7);
        List<String> log = new ArrayList<>();
        List<Recording> models = List.of(new Recording(1, log), new Recording(2, log));
        int passes = 3;
        int batch = 3;
        List<String> steps = new ArrayList<>();
        List<Result> results = LatencyBenchmark.measureInterleaved(
                models, texts, batch, 1, passes, (done, total) -> steps.add(done + "/" + total + "@" + log.size()));
        // A step after each warm-up, then after each timed pass: 2 + 2 * 3 of them, the last when all is done.
        assertEquals(8, steps.size(), steps.toString());
        assertEquals("8/8@" + log.size(), steps.getLast());
        assertEquals("1/8", steps.getFirst().substring(0, 3));

        int batchesPerPass = 3;
        List<String> timed = log.subList(log.size() - 2 * passes * batchesPerPass, log.size());
        for (int p = 0; p < passes; p++) {
            for (int m = 0; m < 2; m++) {
                int at = (p * 2 + m) * batchesPerPass;
                assertEquals(
                        List.of((m + 1f) + ":3", (m + 1f) + ":3", (m + 1f) + ":1"),
                        timed.subList(at, at + 3),
                        "pass " + p + " of model " + m);
            }
        }
        // Both warm-ups come before the first timed pass: model 1's lines all precede model 2's there.
        List<String> warmUp = log.subList(0, log.size() - timed.size());
        assertTrue(warmUp.lastIndexOf("1.0:1") < warmUp.indexOf("2.0:3"), "model 1 warms up before model 2");
        for (int m = 0; m < 2; m++) {
            Result r = results.get(m);
            assertEquals(passes * batchesPerPass, r.runs());
            for (int i = 1; i < r.samples().length; i++) {
                assertTrue(r.samples()[i - 1] <= r.samples()[i], "samples are sorted");
            }
            assertEquals(texts.size(), r.embeddings().size());
            for (int t = 0; t < texts.size(); t++) {
                assertArrayEquals(
                        new float[] {m + 1, texts.get(t).ids()[0]},
                        r.embeddings().get(t));
            }
        }
    }

    @Test
    void refusesNoTextsOrNoPasses() {
        List<Recording> models = List.of(new Recording(1, new ArrayList<>()));
        assertThrows(
                IllegalArgumentException.class, () -> LatencyBenchmark.measureInterleaved(models, List.of(), 1, 0, 1));
        assertThrows(
                IllegalArgumentException.class, () -> LatencyBenchmark.measureInterleaved(models, texts(2), 1, 0, 0));
    }
}
