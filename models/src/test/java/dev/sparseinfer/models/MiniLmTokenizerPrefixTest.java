package dev.sparseinfer.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.sparseinfer.engine.tokenizer.TextTokenizer;
import dev.sparseinfer.engine.tokenizer.TokenizedText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * all-MiniLM-L6-v2's own tokenizer gives the same tokens whether a text is tokenised whole or, as
 * {@link TextTokenizer} does with long texts, only its prefix: on the varied test texts (many scripts, emoji, blank
 * lines) and on long lines joined from them.
 */
class MiniLmTokenizerPrefixTest {

    @Test
    void cuttingLongTextsBeforeTokenisingChangesNoToken() throws IOException {
        long seed = Long.getLong("tests.seed", System.nanoTime());
        Random random = new Random(seed);
        Path onnx = TestModels.minilm();
        Path tokenizerJson = onnx.resolveSibling(ModelRegistry.MINILM.tokenizerFileName());
        List<String> varied = TestModels.variedTexts();
        List<String> texts = new ArrayList<>(varied);
        for (int i = 0; i < 40; i++) {
            StringBuilder line = new StringBuilder();
            // 2 KB to 64 KB: from the first prefix the tokenizer cuts (16 characters per token of the 128 kept) on,
            // so every line is cut and truncated. Lines from 256 characters could stay under 128 tokens.
            int length = 1 << (11 + random.nextInt(6));
            while (line.length() < length) {
                line.append(varied.get(random.nextInt(varied.size()))).append(random.nextBoolean() ? " " : "  ");
            }
            texts.add(line.toString());
        }
        try (TextTokenizer ours = TextTokenizer.fromJson(Files.readString(tokenizerJson), tokenizerJson.toString());
                HuggingFaceTokenizer whole =
                        HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of("padding", "false"))) {
            List<TokenizedText> actual = ours.encode(texts);
            Encoding[] expected = whole.batchEncode(texts);
            int truncated = 0;
            for (int i = 0; i < texts.size(); i++) {
                String where =
                        "seed " + seed + ", text " + i + " (" + texts.get(i).length() + " chars)";
                assertArrayEquals(
                        Arrays.stream(expected[i].getIds())
                                .mapToInt(Math::toIntExact)
                                .toArray(),
                        actual.get(i).ids(),
                        where);
                assertArrayEquals(
                        Arrays.stream(expected[i].getTypeIds())
                                .mapToInt(Math::toIntExact)
                                .toArray(),
                        actual.get(i).typeIds(),
                        where);
                truncated += expected[i].exceedMaxLength() ? 1 : 0;
            }
            assertTrue(truncated >= 40, "the long lines are past the truncation limit: " + truncated + " truncated");
        }
    }
}
