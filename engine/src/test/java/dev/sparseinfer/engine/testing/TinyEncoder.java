package dev.sparseinfer.engine.testing;

import dev.sparseinfer.engine.format.FloatTensor;
import dev.sparseinfer.engine.io.safetensors.SafetensorsWriter;
import dev.sparseinfer.engine.model.bert.Architecture;
import dev.sparseinfer.engine.model.bert.BertCheckpoint;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.model.bert.BertWeights;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A tiny random RoBERTa, XLM-RoBERTa or DistilBERT written as a Hugging Face directory as {@code save_pretrained}
 * leaves it: {@code config.json} in the family's own keys, {@code model.safetensors} with the family's tensor names
 * (under a task model's prefix if asked) and a tensor the encoder does not use, and a {@code tokenizer.json} of the
 * family's kind.
 *
 * @param encoder the encoder the written values make, built from BERT-named copies of them (not through any loader);
 *     DistilBERT's token types are the single row of zeros it runs with
 */
public record TinyEncoder(Path directory, BertConfig config, BertWeights encoder) {

    /** RoBERTa's padding index; positions run from 2 to {@code 2 + 15}. */
    public static final int PAD = TinySubwordTokenizers.PAD;

    public static final int MAX_POSITIONS = 18;

    /** A config of {@code architecture}: 3 heads of 4, an odd FFN width, eps other than BERT's default. */
    public static BertConfig config(Architecture architecture) {
        boolean roberta = architecture.positionsAfterPadding();
        return new BertConfig(
                architecture,
                40,
                12,
                2,
                3,
                20,
                MAX_POSITIONS,
                1,
                architecture == Architecture.DISTILBERT ? 1e-12 : 1e-5,
                BertConfig.GELU,
                roberta ? PAD : 0);
    }

    /** Writes the model with weights drawn from {@code seed}; {@code prefix} is e.g. {@code "roberta."} or empty. */
    public static TinyEncoder write(Path directory, Architecture architecture, String prefix, long seed) {
        BertConfig config = config(architecture);
        Random random = new Random(seed);
        Map<String, FloatTensor> bert = new LinkedHashMap<>(RandomBert.tensors(config, random));
        String tokenizer;
        SafetensorsWriter out = new SafetensorsWriter().metadata("format", "pt");
        if (architecture == Architecture.DISTILBERT) {
            String types = "embeddings.token_type_embeddings.weight";
            bert.put(types, new FloatTensor(types, new int[] {1, config.hiddenSize()}, new float[config.hiddenSize()]));
            for (FloatTensor t : bert.values()) {
                if (!t.name().equals(types)) {
                    out.addF32(prefix + distilBertName(t.name()), t.shape(), t.data());
                }
            }
            out.addF32("pre_classifier.weight", new int[] {2, 2}, Seeds.gaussian(random, 4, 1));
            tokenizer = TinyTokenizer.json();
        } else {
            for (FloatTensor t : bert.values()) {
                out.addF32(prefix + t.name(), t.shape(), t.data());
            }
            out.addF32("lm_head.dense.weight", new int[] {2, 2}, Seeds.gaussian(random, 4, 1));
            tokenizer = architecture == Architecture.ROBERTA
                    ? TinySubwordTokenizers.byteLevelBpe()
                    : TinySubwordTokenizers.sentencePieceUnigram();
        }
        try {
            Files.createDirectories(directory);
            Files.writeString(directory.resolve("config.json"), configJson(config));
            Files.writeString(directory.resolve("tokenizer.json"), tokenizer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write(directory.resolve("model.safetensors"));
        return new TinyEncoder(directory, config, BertCheckpoint.toWeights(bert, config, "expected"));
    }

    /** The config.json transformers writes for the family, with keys the loader must ignore. */
    private static String configJson(BertConfig c) {
        if (c.architecture() == Architecture.DISTILBERT) {
            return """
                    {"activation":"gelu","architectures":["DistilBertModel"],"attention_dropout":0.1,
                     "dim":%d,"dropout":0.1,"hidden_dim":%d,"initializer_range":0.02,
                     "max_position_embeddings":%d,"model_type":"distilbert","n_heads":%d,"n_layers":%d,
                     "pad_token_id":0,"qa_dropout":0.1,"seq_classif_dropout":0.2,"sinusoidal_pos_embds":false,
                     "tie_weights_":true,"torch_dtype":"float32","transformers_version":"4.46.3","vocab_size":%d}
                    """.formatted(
                    c.hiddenSize(), c.intermediateSize(), c.maxPositions(), c.heads(), c.layers(), c.vocabSize());
        }
        String type = c.architecture().modelType();
        return """
                {"architectures":["%s"],"attention_probs_dropout_prob":0.1,"bos_token_id":0,
                 "classifier_dropout":null,"eos_token_id":2,"hidden_act":"gelu","hidden_dropout_prob":0.1,
                 "hidden_size":%d,"initializer_range":0.02,"intermediate_size":%d,"layer_norm_eps":%s,
                 "max_position_embeddings":%d,"model_type":"%s","num_attention_heads":%d,"num_hidden_layers":%d,
                 "pad_token_id":%d,"position_embedding_type":"absolute","torch_dtype":"float32",
                 "transformers_version":"4.46.3","type_vocab_size":1,"use_cache":true,"vocab_size":%d}
                """.formatted(
                        type.equals("roberta") ? "RobertaModel" : "XLMRobertaModel",
                        c.hiddenSize(),
                        c.intermediateSize(),
                        c.layerNormEps(),
                        c.maxPositions(),
                        type,
                        c.heads(),
                        c.layers(),
                        c.padTokenId(),
                        c.vocabSize());
    }

    /** DistilBertModel's name for a BertModel tensor. */
    public static String distilBertName(String bert) {
        if (bert.startsWith("embeddings.")) {
            return bert;
        }
        String[] from = {
            "attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
            "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm"
        };
        String[] to = {
            "attention.q_lin",
            "attention.k_lin",
            "attention.v_lin",
            "attention.out_lin",
            "sa_layer_norm",
            "ffn.lin1",
            "ffn.lin2",
            "output_layer_norm"
        };
        String rest = bert.substring("encoder.layer.".length());
        int dot = rest.indexOf('.');
        String module = rest.substring(dot + 1);
        for (int i = 0; i < from.length; i++) {
            if (module.startsWith(from[i] + ".")) {
                return "transformer.layer." + rest.substring(0, dot) + "." + to[i] + module.substring(from[i].length());
            }
        }
        throw new IllegalArgumentException("no DistilBERT name for " + bert);
    }
}
