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
 * A DistilBERT checkpoint's tensors ({@code transformer.layer.N.attention.q_lin}, {@code sa_layer_norm}, ...; an
 * optional {@code distilbert.} prefix) under the names of {@code BertModel}, whose layer they compute exactly:
 * post-LayerNorm attention and FFN blocks. DistilBERT has no token types; the BERT encoder adds a single row of
 * zeros in their place, which changes nothing.
 */
public final class DistilBertNames implements WeightSource {

    private static final String PREFIX = "distilbert.";
    private static final String TOKEN_TYPES = "embeddings.token_type_embeddings.weight";
    private static final Pattern LAYER = Pattern.compile("^transformer\\.layer\\.(\\d+)\\.(.+)$");
    private static final Pattern BERT_LAYER = Pattern.compile("^encoder\\.layer\\.(\\d+)\\.(.+)$");
    /** DistilBERT's module path in a layer, to BERT's; none is a prefix of another, so they are tried in any order. */
    private static final Map<String, String> LAYER_MODULES = Map.of(
            "attention.q_lin", "attention.self.query",
            "attention.k_lin", "attention.self.key",
            "attention.v_lin", "attention.self.value",
            "attention.out_lin", "attention.output.dense",
            "sa_layer_norm", "attention.output.LayerNorm",
            "ffn.lin1", "intermediate.dense",
            "ffn.lin2", "output.dense",
            "output_layer_norm", "output.LayerNorm");

    private final WeightSource stored;
    /** BERT name to the stored name, for every tensor the encoder reads. */
    private final Map<String, String> storedName;

    private DistilBertNames(WeightSource stored, Map<String, String> storedName) {
        this.stored = stored;
        this.storedName = storedName;
    }

    /** The source's DistilBERT tensors under BERT's names, and the zero token-type row. */
    public static DistilBertNames of(WeightSource stored) {
        Map<String, String> names = new LinkedHashMap<>();
        for (String name : stored.names()) {
            String local = name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name;
            String bert = bertName(local);
            if (bert != null) {
                names.put(bert, name);
            }
        }
        return new DistilBertNames(stored, Collections.unmodifiableMap(names));
    }

    /** The BERT name of a DistilBERT tensor, or null for one the encoder does not read. */
    private static String bertName(String local) {
        if (local.startsWith("embeddings.") && !local.equals("embeddings.position_ids")) {
            return local;
        }
        Matcher m = LAYER.matcher(local);
        if (!m.matches()) {
            return null;
        }
        String rest = m.group(2);
        for (Map.Entry<String, String> module : LAYER_MODULES.entrySet()) {
            if (rest.startsWith(module.getKey() + ".")) {
                return "encoder.layer." + m.group(1) + "." + module.getValue()
                        + rest.substring(module.getKey().length());
            }
        }
        return null;
    }

    /** What DistilBERT calls a BERT tensor, for messages. */
    private static String distilBertName(String bertName) {
        Matcher m = BERT_LAYER.matcher(bertName);
        if (m.matches()) {
            for (Map.Entry<String, String> module : LAYER_MODULES.entrySet()) {
                if (m.group(2).startsWith(module.getValue() + ".")) {
                    return "transformer.layer." + m.group(1) + "." + module.getKey()
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
                    stored.source() + ": missing tensor '" + distilBertName(bertName) + "'");
        }
        return name;
    }
}
