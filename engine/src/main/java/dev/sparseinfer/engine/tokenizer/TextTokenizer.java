package dev.sparseinfer.engine.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.sparseinfer.engine.api.SparseInferException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json}, run by DJL's binding of the Rust tokenizers. The file's truncation
 * settings are honoured; its padding is switched off, because batches are packed without padding.
 */
public final class TextTokenizer implements AutoCloseable {

    private final HuggingFaceTokenizer tokenizer;
    private final String json;
    private final PrefixCut prefixCut;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, String json) {
        this.tokenizer = tokenizer;
        this.json = json;
        this.prefixCut = PrefixCut.forTokenizer(json, maxLength());
    }

    /** Loads a tokenizer from the text of a {@code tokenizer.json}; {@code source} names it in errors. */
    public static TextTokenizer fromJson(String json, String source) {
        try {
            var in = new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8));
            return new TextTokenizer(HuggingFaceTokenizer.newInstance(in, Map.of("padding", "false")), json);
        } catch (IOException | RuntimeException e) {
            throw new SparseInferException(
                    SparseInferException.Code.TOKENIZER,
                    source + ": not a usable tokenizer.json (" + oneLine(e) + ")",
                    e);
        }
    }

    /** The tokenizer.json text this was made from, to store alongside a model. */
    public String json() {
        return json;
    }

    /** The longest sequence the tokenizer produces, special tokens included, or -1 if it does not truncate. */
    public int maxLength() {
        return "DO_NOT_TRUNCATE".equalsIgnoreCase(tokenizer.getTruncation()) ? -1 : tokenizer.getMaxLength();
    }

    /**
     * The tokens of each text, truncated as the tokenizer.json says. Where that is safe ({@link PrefixCut}), a long
     * text is tokenised only as far as truncation keeps, with the same tokens as if it were tokenised whole.
     */
    public List<TokenizedText> encode(List<String> texts) {
        if (prefixCut == null) {
            return tokens(batchEncode(texts));
        }
        List<String> prefixes = texts.stream().map(prefixCut::first).toList();
        Encoding[] encodings = batchEncode(prefixes);
        for (int i = 0; i < encodings.length; i++) {
            String text = texts.get(i);
            String prefix = prefixes.get(i);
            // A prefix that fits without truncation may have left out tokens that truncation would have kept.
            while (prefix.length() < text.length() && !encodings[i].exceedMaxLength()) {
                prefix = prefixCut.longer(text, prefix);
                encodings[i] = batchEncode(List.of(prefix))[0];
            }
        }
        return tokens(encodings);
    }

    private Encoding[] batchEncode(List<String> texts) {
        try {
            return tokenizer.batchEncode(texts);
        } catch (RuntimeException e) {
            throw new SparseInferException(SparseInferException.Code.TOKENIZER, "tokenizer failed: " + oneLine(e), e);
        }
    }

    private static List<TokenizedText> tokens(Encoding[] encodings) {
        return Arrays.stream(encodings)
                .map(e -> new TokenizedText(toInts(e.getIds()), toInts(e.getTypeIds())))
                .toList();
    }

    private static int[] toInts(long[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Math.toIntExact(values[i]);
        }
        return out;
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse(m);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
