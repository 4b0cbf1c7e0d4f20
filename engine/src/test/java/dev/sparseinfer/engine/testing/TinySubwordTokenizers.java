package dev.sparseinfer.engine.testing;

/**
 * Small tokenizer.json files of the kinds RoBERTa and XLM-RoBERTa ship, written the way Hugging Face writes them:
 * byte-level BPE with RoBERTa's post-processor, and a SentencePiece unigram model with Metaspace pre-tokenisation.
 * Both use RoBERTa's special ids: {@code <s>} 0, {@code <pad>} 1, {@code </s>} 2, {@code <unk>} 3.
 */
public final class TinySubwordTokenizers {

    public static final int BOS = 0;
    public static final int PAD = 1;
    public static final int EOS = 2;
    public static final int MAX_LENGTH = 14;

    /** Ids of the byte-level BPE vocabulary that tests name. */
    public static final int BPE_SPACE = 4;

    public static final int BPE_THE = 33;
    public static final int BPE_SPACE_CAT = 37;
    public static final int BPE_DOT = 31;

    /** Ids of the unigram vocabulary that tests name. */
    public static final int UNIGRAM_THE = 5;

    public static final int UNIGRAM_CAT = 6;
    public static final int UNIGRAM_SAT = 7;
    public static final int UNIGRAM_DOT = 18;

    /** Entries in either vocabulary; a model's vocab_size must be at least this. */
    public static final int VOCAB = 39;

    private TinySubwordTokenizers() {}

    /**
     * RoBERTa's kind: byte-level BPE (a space becomes {@code Ġ}), {@code <s> A </s>}. Letters and {@code .} are
     * tokens of their own; merges make {@code the}, {@code Ġthe}, {@code cat} and {@code Ġcat}.
     */
    public static String byteLevelBpe() {
        StringBuilder vocab = new StringBuilder("\"<s>\":0,\"<pad>\":1,\"</s>\":2,\"<unk>\":3,\"\\u0120\":4");
        for (char c = 'a'; c <= 'z'; c++) {
            vocab.append(",\"").append(c).append("\":").append(5 + c - 'a');
        }
        vocab.append(",\".\":31,\"th\":32,\"the\":33,\"\\u0120the\":34,\"ca\":35,\"cat\":36,\"\\u0120cat\":37,"
                + "\"<mask>\":38");
        return """
                {"version":"1.0",
                 "truncation":{"direction":"Right","max_length":%d,"strategy":"LongestFirst","stride":0},
                 "padding":null,
                 "added_tokens":[%s,%s,%s,%s,%s],
                 "normalizer":null,
                 "pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true},
                 "post_processor":{"type":"RobertaProcessing","sep":["</s>",2],"cls":["<s>",0],
                                   "trim_offsets":true,"add_prefix_space":false},
                 "decoder":{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":true,"use_regex":true},
                 "model":{"type":"BPE","dropout":null,"unk_token":"<unk>","continuing_subword_prefix":"",
                          "end_of_word_suffix":"","fuse_unk":false,"byte_fallback":false,"ignore_merges":false,
                          "vocab":{%s},
                          "merges":["t h","th e","\\u0120 the","c a","ca t","\\u0120 cat"]}}
                """.formatted(
                        MAX_LENGTH,
                        special("<s>", 0),
                        special("<pad>", 1),
                        special("</s>", 2),
                        special("<unk>", 3),
                        special("<mask>", 38),
                        vocab);
    }

    /** XLM-RoBERTa's kind: a SentencePiece unigram model, {@code ▁} marking word starts, {@code <s> A </s>}. */
    public static String sentencePieceUnigram() {
        String[] pieces = {
            "<s>",
            "<pad>",
            "</s>",
            "<unk>",
            "\\u2581",
            "\\u2581the",
            "\\u2581cat",
            "\\u2581sat",
            "s",
            "a",
            "t",
            "c",
            "h",
            "e",
            "o",
            "n",
            "\\u2581on",
            "m",
            ".",
            "<mask>"
        };
        StringBuilder vocab = new StringBuilder();
        for (int i = 0; i < pieces.length; i++) {
            double score = i < 4 || i == pieces.length - 1 ? 0.0 : pieces[i].startsWith("\\u2581") ? -1.0 : -3.0;
            vocab.append(i == 0 ? "" : ",")
                    .append("[\"")
                    .append(pieces[i])
                    .append("\",")
                    .append(score)
                    .append(']');
        }
        return """
                {"version":"1.0",
                 "truncation":{"direction":"Right","max_length":%d,"strategy":"LongestFirst","stride":0},
                 "padding":null,
                 "added_tokens":[%s,%s,%s,%s,%s],
                 "normalizer":null,
                 "pre_tokenizer":{"type":"Metaspace","replacement":"\\u2581","prepend_scheme":"always","split":true},
                 "post_processor":{"type":"TemplateProcessing",
                   "single":[{"SpecialToken":{"id":"<s>","type_id":0}},{"Sequence":{"id":"A","type_id":0}},
                             {"SpecialToken":{"id":"</s>","type_id":0}}],
                   "pair":[{"SpecialToken":{"id":"<s>","type_id":0}},{"Sequence":{"id":"A","type_id":0}},
                           {"SpecialToken":{"id":"</s>","type_id":0}},{"SpecialToken":{"id":"</s>","type_id":0}},
                           {"Sequence":{"id":"B","type_id":0}},{"SpecialToken":{"id":"</s>","type_id":0}}],
                   "special_tokens":{"<s>":{"id":"<s>","ids":[0],"tokens":["<s>"]},
                                     "</s>":{"id":"</s>","ids":[2],"tokens":["</s>"]}}},
                 "decoder":{"type":"Metaspace","replacement":"\\u2581","prepend_scheme":"always","split":true},
                 "model":{"type":"Unigram","unk_id":3,"vocab":[%s],"byte_fallback":false}}
                """.formatted(
                        MAX_LENGTH,
                        special("<s>", 0),
                        special("<pad>", 1),
                        special("</s>", 2),
                        special("<unk>", 3),
                        special("<mask>", pieces.length - 1),
                        vocab);
    }

    private static String special(String content, int id) {
        return "{\"id\":" + id + ",\"content\":\"" + content + "\",\"single_word\":false,\"lstrip\":false,"
                + "\"rstrip\":false,\"normalized\":false,\"special\":true}";
    }
}
