package dev.sparseinfer.engine.tokenizer;

/** One text after tokenisation: token ids and token-type ids, special tokens included, no padding. */
public record TokenizedText(int[] ids, int[] typeIds) {

    public int length() {
        return ids.length;
    }
}
