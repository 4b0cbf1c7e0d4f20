package dev.sparseinfer.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.engine.testing.TinyTokenizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TextTokenizerTest {

    private static final int MAX_LENGTH = TinyTokenizer.MAX_LENGTH;

    /**
     * Words that tokenise in every way a cut could get wrong: known, unknown, split into pieces, punctuation, CJK
     * characters (a word each), accents stripped away, a lone combining accent and a control character (no token
     * at all), a special token written in the text, and words longer than WordPiece's 100 characters.
     */
    private static final String[] WORDS = {
        "the",
        "cat",
        "sat",
        "on",
        "mat",
        "dogs",
        "running",
        "Café",
        "cafe.",
        "e,e!",
        "猫猫",
        "zebra",
        "\u0301",
        "\u0007",
        "[MASK]",
        "a".repeat(150),
        "the\tcat",
        "x".repeat(99)
    };

    @Test
    void longTextsGiveTheSameTokensAsWhenTokenisedWhole() throws IOException {
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        String json = TinyTokenizer.json("Right", "BertPreTokenizer");
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            texts.add(randomText(random, random.nextInt(i % 10 == 0 ? 2000 : 60)));
        }
        // Many words without a token before the real ones: the first prefix does not overflow, a longer one must.
        texts.add(" \u0301".repeat(5000) + " cat".repeat(100));
        try (TextTokenizer ours = TextTokenizer.fromJson(json, "test");
                HuggingFaceTokenizer whole = reference(json)) {
            List<TokenizedText> actual = ours.encode(texts);
            Encoding[] expected = whole.batchEncode(texts);
            for (int i = 0; i < texts.size(); i++) {
                String where =
                        "seed " + seed + ", text " + i + " (" + texts.get(i).length() + " chars)";
                assertArrayEquals(toInts(expected[i].getIds()), actual.get(i).ids(), where);
                assertArrayEquals(
                        toInts(expected[i].getTypeIds()), actual.get(i).typeIds(), where);
            }
        }
    }

    @Test
    void aLongTextIsCutAtASpaceSoonAfterWhatTruncationKeeps() {
        PrefixCut cut = PrefixCut.forTokenizer(TinyTokenizer.json("Right", "BertPreTokenizer"), MAX_LENGTH);
        assertNotNull(cut);
        String text = "cat ".repeat(25_000);
        String prefix = cut.first(text);
        assertTrue(text.startsWith(prefix), "a prefix of the text");
        assertTrue(
                prefix.length() >= 16 * MAX_LENGTH && prefix.length() < 16 * MAX_LENGTH + 4,
                "cut soon after 16 characters per kept token, at " + prefix.length());
        assertEquals(' ', text.charAt(prefix.length()), "cut at a space");
        assertEquals(2 * prefix.length() + 1, cut.longer(text, prefix).length(), "a longer one doubles it");
        assertEquals("cat", cut.first("cat"), "a short text stays whole");
        String noSpace = "c".repeat(10_000);
        assertEquals(noSpace, cut.first(noSpace), "a text without a space to cut at stays whole");
    }

    @Test
    void tokenizersThatMayNotWorkWordByWordOrKeepTheEndAreNeverCut() {
        assertNull(
                PrefixCut.forTokenizer(TinyTokenizer.json("Left", "BertPreTokenizer"), MAX_LENGTH), "left truncation");
        assertNull(
                PrefixCut.forTokenizer(TinyTokenizer.json("Right", "Metaspace"), MAX_LENGTH),
                "Metaspace pre-tokenizer");
        assertNull(PrefixCut.forTokenizer(TinyTokenizer.json("Right", "BertPreTokenizer"), -1), "no truncation");
        assertNull(PrefixCut.forTokenizer("{not json", MAX_LENGTH), "unreadable tokenizer.json");
    }

    private static String randomText(Random random, int words) {
        StringBuilder s = new StringBuilder();
        for (int w = 0; w < words; w++) {
            s.append(w == 0 ? "" : random.nextInt(8) == 0 ? "  " : " ").append(WORDS[random.nextInt(WORDS.length)]);
        }
        return s.toString();
    }

    private static HuggingFaceTokenizer reference(String json) throws IOException {
        return HuggingFaceTokenizer.newInstance(
                new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), Map.of("padding", "false"));
    }

    private static int[] toInts(long[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Math.toIntExact(values[i]);
        }
        return out;
    }
}
