package dev.sparseinfer.engine.testing;

/** A small BERT WordPiece tokenizer.json (21 tokens), written the way Hugging Face writes them, truncating at 12. */
public final class TinyTokenizer {

    public static final int MAX_LENGTH = 12;

    private TinyTokenizer() {}

    /** The usual one: truncation keeps the start, BERT's pre-tokenizer. */
    public static String json() {
        return json("Right", "BertPreTokenizer");
    }

    /** The tokenizer.json text, truncating on the side given, with the pre-tokenizer given. */
    public static String json(String truncationDirection, String preTokenizer) {
        return json(truncationDirection, preTokenizer, MAX_LENGTH);
    }

    /** The usual one, truncating at {@code maxLength} tokens. */
    public static String json(int maxLength) {
        return json("Right", "BertPreTokenizer", maxLength);
    }

    private static String json(String truncationDirection, String preTokenizer, int maxLength) {
        String[] vocab = {
            "[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "cat", "sat", "on", "mat", "a", "dog", "##s", "##ing", "run",
            ".", ",", "!", "e", "cafe", "猫", "[MASK]"
        };
        StringBuilder v = new StringBuilder();
        for (int i = 0; i < vocab.length; i++) {
            v.append(i == 0 ? "" : ",")
                    .append('"')
                    .append(vocab[i])
                    .append("\":")
                    .append(i);
        }
        return """
                {"version":"1.0",
                 "truncation":{"direction":"%s","max_length":%d,"strategy":"LongestFirst","stride":0},
                 "padding":null,
                 "added_tokens":[%s,%s,%s,%s,%s],
                 "normalizer":{"type":"BertNormalizer","clean_text":true,"handle_chinese_chars":true,
                               "strip_accents":null,"lowercase":true},
                 "pre_tokenizer":{"type":"%s"},
                 "post_processor":{"type":"TemplateProcessing",
                   "single":[{"SpecialToken":{"id":"[CLS]","type_id":0}},{"Sequence":{"id":"A","type_id":0}},
                             {"SpecialToken":{"id":"[SEP]","type_id":0}}],
                   "pair":[{"SpecialToken":{"id":"[CLS]","type_id":0}},{"Sequence":{"id":"A","type_id":0}},
                           {"SpecialToken":{"id":"[SEP]","type_id":0}},{"Sequence":{"id":"B","type_id":1}},
                           {"SpecialToken":{"id":"[SEP]","type_id":1}}],
                   "special_tokens":{"[CLS]":{"id":"[CLS]","ids":[2],"tokens":["[CLS]"]},
                                     "[SEP]":{"id":"[SEP]","ids":[3],"tokens":["[SEP]"]}}},
                 "decoder":{"type":"WordPiece","prefix":"##","cleanup":true},
                 "model":{"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##",
                          "max_input_chars_per_word":100,"vocab":{%s}}}
                """.formatted(
                        truncationDirection,
                        maxLength,
                        special("[PAD]", 0),
                        special("[UNK]", 1),
                        special("[CLS]", 2),
                        special("[SEP]", 3),
                        special("[MASK]", 20),
                        preTokenizer,
                        v);
    }

    private static String special(String content, int id) {
        return "{\"id\":" + id + ",\"content\":\"" + content + "\",\"single_word\":false,\"lstrip\":false,"
                + "\"rstrip\":false,\"normalized\":false,\"special\":true}";
    }
}
