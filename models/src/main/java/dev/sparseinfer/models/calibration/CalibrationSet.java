package dev.sparseinfer.models.calibration;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.backend.TokenBatch;
import dev.sparseinfer.engine.tokenizer.TextTokenizer;
import dev.sparseinfer.engine.tokenizer.TokenizedText;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Calibration texts, tokenised and packed into one batch: the inputs whose activations Wanda and SparseGPT
 * measure. The project ships its own default set ({@code texts/calibration.txt}, 1,370 varied sentences).
 */
public record CalibrationSet(List<String> texts, TokenBatch batch) {

    /** The shipped default texts. */
    public static List<String> defaultTexts() {
        return resourceLines("texts/calibration.txt");
    }

    /** The shipped held-out texts, never used for calibration: for measuring what pruning and quantisation cost. */
    public static List<String> heldOutTexts() {
        return resourceLines("texts/heldout.txt");
    }

    /**
     * The held-out sets, by name: {@code heldout} (240 sentences written for the project) and {@code fortunes} (300
     * prose fortunes, another source and register). Quality is reported on each; defaults are chosen by the worse.
     */
    public static Map<String, List<String>> heldOutSets() {
        Map<String, List<String>> sets = new LinkedHashMap<>();
        sets.put("heldout", heldOutTexts());
        sets.put("fortunes", resourceLines("texts/heldout-fortunes.txt"));
        return sets;
    }

    /** The shipped distillation corpus: 60,000 WordNet glosses and examples, disjoint from every shipped set. */
    public static List<String> distillationCorpus() {
        try (InputStream in =
                CalibrationSet.class.getClassLoader().getResourceAsStream("texts/wordnet-corpus.txt.gz")) {
            if (in == null) {
                throw new IllegalStateException("texts/wordnet-corpus.txt.gz is missing from the models jar");
            }
            return lines(new String(new GZIPInputStream(in).readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read texts/wordnet-corpus.txt.gz", e);
        }
    }

    /** One text per non-blank line of a UTF-8 file. */
    public static List<String> readTexts(Path file) {
        List<String> texts;
        try {
            texts = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.isBlank())
                    .toList();
        } catch (IOException e) {
            throw new SparseInferException(
                    SparseInferException.Code.IO, "cannot read calibration file " + file + ": " + e.getMessage(), e);
        }
        if (texts.isEmpty()) {
            throw SparseInferException.invalidArgument("calibration file " + file + " has no text");
        }
        return texts;
    }

    public static CalibrationSet of(List<String> texts, TextTokenizer tokenizer) {
        List<TokenizedText> tokens = tokenizer.encode(texts);
        int[][] ids = tokens.stream().map(TokenizedText::ids).toArray(int[][]::new);
        int[][] types = tokens.stream().map(TokenizedText::typeIds).toArray(int[][]::new);
        return new CalibrationSet(List.copyOf(texts), TokenBatch.pack(ids, types));
    }

    private static List<String> lines(String text) {
        return Arrays.stream(text.split("\n")).filter(l -> !l.isBlank()).toList();
    }

    private static List<String> resourceLines(String resource) {
        try (InputStream in = CalibrationSet.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the models jar");
            }
            return lines(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
    }
}
