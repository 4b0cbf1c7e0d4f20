package dev.sparseinfer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReplacingUtf8ReaderTest {

    private static final String[] VALID = {"a", "é", "日本", "😀", "\n", "Ω", " ", "text"};

    @Test
    void decodesLikeTheJdkAndCountsEveryReplacement() throws IOException {
        long seed = Long.getLong("tests.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int round = 0; round < 200; round++) {
            ByteArrayOutputStream input = new ByteArrayOutputStream();
            for (int k = random.nextInt(1, 400); k > 0; k--) {
                if (random.nextInt(5) == 0) {
                    input.write(random.nextInt(256)); // often malformed: a stray continuation or lead byte
                } else {
                    input.writeBytes(VALID[random.nextInt(VALID.length)].getBytes(StandardCharsets.UTF_8));
                }
            }
            byte[] bytes = input.toByteArray();
            // The JDK's String constructor replaces malformed input the same way (one U+FFFD per malformed sequence).
            String expected = new String(bytes, StandardCharsets.UTF_8);
            int chunk = random.nextInt(1, 9);
            try (ReplacingUtf8Reader reader = new ReplacingUtf8Reader(trickling(bytes, random))) {
                StringBuilder got = new StringBuilder();
                char[] buffer = new char[chunk];
                int n;
                while ((n = reader.read(buffer, 0, chunk)) >= 0) {
                    got.append(buffer, 0, n);
                }
                String context = "round " + round + " (seed=" + seed + ")";
                assertEquals(expected, got.toString(), context);
                assertEquals(expected.chars().filter(c -> c == '\uFFFD').count(), reader.replaced(), context);
            }
        }
    }

    @Test
    void aTruncatedSequenceAtTheEndIsReplacedOnce() throws IOException {
        byte[] bytes = {'o', 'k', (byte) 0xE6, (byte) 0x97};
        try (ReplacingUtf8Reader reader = new ReplacingUtf8Reader(new ByteArrayInputStream(bytes))) {
            char[] out = new char[8];
            int n = reader.read(out, 0, 8);
            StringBuilder all = new StringBuilder().append(out, 0, n);
            while ((n = reader.read(out, 0, 8)) >= 0) {
                all.append(out, 0, n);
            }
            assertEquals("ok\uFFFD", all.toString());
            assertEquals(1, reader.replaced());
        }
    }

    /** A stream that hands out a few bytes at a time, so sequences straddle reads. */
    private static InputStream trickling(byte[] bytes, Random random) {
        return new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1 + random.nextInt(5)));
            }
        };
    }
}
