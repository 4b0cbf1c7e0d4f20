package dev.sparseinfer.engine.tokenizer;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.Set;

/**
 * Cuts a long text to a prefix before it is tokenised, where the tokenizer would truncate it anyway: tokenising a
 * 100 KB line to keep its first 128 tokens costs time and memory in proportion to the whole line, a prefix only
 * what is kept.
 *
 * <p>Why the tokens do not change: a BERT normalizer works character by character, a whitespace pre-tokenizer
 * splits at every space, and WordPiece works word by word, so the tokens of {@code P + " " + S} are the tokens of
 * {@code P} followed by those of {@code S}. Once {@code P} alone overflows the maximum length, truncating it gives
 * the same tokens as truncating the whole text. The caller checks that the prefix did overflow and otherwise asks
 * for a longer one ({@link #longer}). Tokenizers not known to work word by word, and those that keep the end of a
 * text rather than its start, are never cut.
 */
final class PrefixCut {

    private static final Set<String> WORD_LOCAL_NORMALIZERS = Set.of("BertNormalizer");
    private static final Set<String> WHITESPACE_PRE_TOKENIZERS =
            Set.of("BertPreTokenizer", "Whitespace", "WhitespaceSplit");
    /** A first prefix of this many characters per kept token holds enough words for any ordinary text. */
    private static final int CHARS_PER_TOKEN = 16;

    private final int firstChars;

    private PrefixCut(int firstChars) {
        this.firstChars = firstChars;
    }

    /** The cut for a tokenizer.json whose truncation keeps {@code maxLength} tokens; null if texts must stay whole. */
    static PrefixCut forTokenizer(String tokenizerJson, int maxLength) {
        if (maxLength <= 0 || !cutsSafely(tokenizerJson)) {
            return null;
        }
        return new PrefixCut(Math.multiplyExact(maxLength, CHARS_PER_TOKEN));
    }

    private static boolean cutsSafely(String json) {
        try {
            JsonObject root = JsonParser.parseString(json).getAsJsonObject();
            JsonObject truncation = object(root.get("truncation"));
            if (truncation == null || !"Right".equals(string(truncation, "direction"))) {
                return false;
            }
            JsonObject normalizer = object(root.get("normalizer"));
            JsonObject preTokenizer = object(root.get("pre_tokenizer"));
            JsonObject model = object(root.get("model"));
            return (normalizer == null || WORD_LOCAL_NORMALIZERS.contains(string(normalizer, "type")))
                    && preTokenizer != null
                    && WHITESPACE_PRE_TOKENIZERS.contains(string(preTokenizer, "type"))
                    && model != null
                    && "WordPiece".equals(string(model, "type"));
        } catch (RuntimeException e) {
            return false; // the tokenizer itself says what is wrong with the file; here it only means: do not cut
        }
    }

    private static JsonObject object(JsonElement e) {
        return e != null && e.isJsonObject() ? e.getAsJsonObject() : null;
    }

    private static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
    }

    /** The first prefix to try: the text itself when it is short. */
    String first(String text) {
        return cut(text, firstChars);
    }

    /** A prefix about twice as long as {@code prefix}, for when that did not overflow; at most the whole text. */
    String longer(String text, String prefix) {
        return cut(text, (int) Math.min(text.length(), Math.max(firstChars, 2L * prefix.length())));
    }

    /** The text up to the first space at or after {@code chars}, or all of it if there is none. */
    private static String cut(String text, int chars) {
        int space = chars < text.length() ? text.indexOf(' ', chars) : -1;
        return space < 0 ? text : text.substring(0, space);
    }
}
