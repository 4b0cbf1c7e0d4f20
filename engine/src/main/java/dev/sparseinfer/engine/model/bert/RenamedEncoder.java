package dev.sparseinfer.engine.model.bert;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.format.FloatTable;
import dev.sparseinfer.engine.format.FloatTensor;
import dev.sparseinfer.engine.format.LinearWeights;
import dev.sparseinfer.engine.io.WeightSource;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A checkpoint whose tensors are named otherwise than {@code BertModel}'s, under BERT's names, for the families
 * whose layer computes BERT's exactly (post-LayerNorm attention and FFN blocks): DistilBERT
 * ({@code transformer.layer.N.attention.q_lin}, {@code sa_layer_norm}, ...; an optional {@code distilbert.} prefix)
 * and MPNet ({@code encoder.layer.N.attention.attn.q}, {@code attention.LayerNorm}, ...; an optional {@code mpnet.}
 * prefix; its {@code encoder.relative_attention_bias.weight} keeps its name). Neither has token types; the BERT
 * encoder reads a single row of zeros in their place, which changes nothing.
 */
public final class RenamedEncoder implements WeightSource {

    private static final String TOKEN_TYPES = "embeddings.token_type_embeddings.weight";
    private static final String RELATIVE_POSITION_BIAS = BertCheckpoint.RELATIVE_POSITION_BIAS;
    private static final Pattern BERT_LAYER = Pattern.compile("^encoder\\.layer\\.(\\d+)\\.(.+)$");

    /**
     * How a family names what BERT calls {@code encoder.layer.N.<module>}: its wrapper prefix, the path of its layers
     * and its module paths in a layer (none a prefix of another, so they are tried in any order).
     */
    private record Naming(String prefix, Pattern layer, String layerPath, Map<String, String> modules) {}

    private static final Naming DISTILBERT = new Naming(
            "distilbert.",
            Pattern.compile("^transformer\\.layer\\.(\\d+)\\.(.+)$"),
            "transformer.layer.",
            Map.of(
                    "attention.q_lin", "attention.self.query",
                    "attention.k_lin", "attention.self.key",
                    "attention.v_lin", "attention.self.value",
                    "attention.out_lin", "attention.output.dense",
                    "sa_layer_norm", "attention.output.LayerNorm",
                    "ffn.lin1", "intermediate.dense",
                    "ffn.lin2", "output.dense",
                    "output_layer_norm", "output.LayerNorm"));

    private static final Naming MPNET = new Naming(
            "mpnet.",
            BERT_LAYER,
            "encoder.layer.",
            Map.of(
                    "attention.attn.q", "attention.self.query",
                    "attention.attn.k", "attention.self.key",
                    "attention.attn.v", "attention.self.value",
                    "attention.attn.o", "attention.output.dense",
                    "attention.LayerNorm", "attention.output.LayerNorm",
                    "intermediate.dense", "intermediate.dense",
                    "output.dense", "output.dense",
                    "output.LayerNorm", "output.LayerNorm"));

    private final WeightSource stored;
    private final Naming naming;
    /** BERT name to the stored name, for every tensor the encoder reads. */
    private final Map<String, String> storedName;

    private RenamedEncoder(WeightSource stored, Naming naming) {
        this.stored = stored;
        this.naming = naming;
        Map<String, String> names = new LinkedHashMap<>();
        for (String name : stored.names()) {
            String local = name.startsWith(naming.prefix())
                    ? name.substring(naming.prefix().length())
                    : name;
            String bert = bertName(local);
            if (bert != null) {
                names.put(bert, name);
            }
        }
        this.storedName = Collections.unmodifiableMap(names);
    }

    /** A DistilBERT checkpoint's tensors under BERT's names, and the zero token-type row. */
    public static RenamedEncoder distilBert(WeightSource stored) {
        return new RenamedEncoder(stored, DISTILBERT);
    }

    /** An MPNet checkpoint's tensors under BERT's names, its relative position bias, and the zero token-type row. */
    public static RenamedEncoder mpnet(WeightSource stored) {
        return new RenamedEncoder(stored, MPNET);
    }

    /** The BERT name of a tensor, or null for one the encoder does not read. */
    private String bertName(String local) {
        if ((local.startsWith("embeddings.") && !local.equals("embeddings.position_ids"))
                || local.equals(RELATIVE_POSITION_BIAS)) {
            return local;
        }
        Matcher m = naming.layer().matcher(local);
        if (!m.matches()) {
            return null;
        }
        String rest = m.group(2);
        for (Map.Entry<String, String> module : naming.modules().entrySet()) {
            if (rest.startsWith(module.getKey() + ".")) {
                return "encoder.layer." + m.group(1) + "." + module.getValue()
                        + rest.substring(module.getKey().length());
            }
        }
        return null;
    }

    /** What the family calls a BERT tensor, for messages. */
    private String familyName(String bertName) {
        Matcher m = BERT_LAYER.matcher(bertName);
        if (m.matches()) {
            for (Map.Entry<String, String> module : naming.modules().entrySet()) {
                if (m.group(2).startsWith(module.getValue() + ".")) {
                    return naming.layerPath() + m.group(1) + "." + module.getKey()
                            + m.group(2).substring(module.getValue().length());
                }
            }
        }
        return bertName;
    }

    @Override
    public String source() {
        return stored.source();
    }

    @Override
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>(storedName.keySet());
        names.add(TOKEN_TYPES);
        return names;
    }

    @Override
    public FloatTensor tensor(String name) {
        if (name.equals(TOKEN_TYPES)) {
            return new FloatTensor(TOKEN_TYPES, new int[] {1, hidden()}, new float[hidden()]);
        }
        return stored.tensor(stored(name));
    }

    @Override
    public int[] shape(String name) {
        return name.equals(TOKEN_TYPES) ? new int[] {1, hidden()} : stored.shape(stored(name));
    }

    @Override
    public FloatTable table(String name) {
        return name.equals(TOKEN_TYPES) ? WeightSource.super.table(name) : stored.table(stored(name));
    }

    @Override
    public LinearWeights linear(String prefix) {
        String weight = stored(prefix + ".weight");
        return stored.linear(weight.substring(0, weight.length() - ".weight".length()));
    }

    private int hidden() {
        return stored.shape(stored("embeddings.word_embeddings.weight"))[1];
    }

    private String stored(String bertName) {
        String name = storedName.get(bertName);
        if (name == null) {
            throw SparseInferException.invalidModel(
                    stored.source() + ": missing tensor '" + familyName(bertName) + "'");
        }
        return name;
    }
}
