package dev.sparseinfer.engine.io;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.format.DenseWeights;
import dev.sparseinfer.engine.format.FloatTable;
import dev.sparseinfer.engine.format.FloatTensor;
import dev.sparseinfer.engine.format.LinearWeights;
import java.util.Map;
import java.util.Set;

/**
 * Named tensors as a loader provides them, with Hugging Face names. Linear layers are asked for by their prefix
 * ({@code encoder.layer.0.attention.self.query}), so a source that stores them sparse or quantised can hand over
 * its own format; plain checkpoints read {@code PREFIX.weight} as dense {@code [out, in]}.
 */
public interface WeightSource {

    /** Where the tensors come from, for messages. */
    String source();

    Set<String> names();

    /** The tensor, or a one-line error naming it and the source. */
    FloatTensor tensor(String name);

    /** The tensor's shape, without reading its values. */
    default int[] shape(String name) {
        return tensor(name).shape();
    }

    /**
     * A 2-D tensor used as it is stored (an embedding table), read as fp32. A source over a mapped file returns a
     * view of the mapping where the file stores a type a table can widen as it reads (fp32, and in safetensors fp16
     * and bf16), valid while the file stays mapped.
     */
    default FloatTable table(String name) {
        return FloatTable.of(tensor(name).matrix(-1, -1));
    }

    default boolean has(String name) {
        return names().contains(name);
    }

    default LinearWeights linear(String prefix) {
        return new DenseWeights(tensor(prefix + ".weight").matrix(-1, -1));
    }

    /** Tensors already in memory. */
    static WeightSource of(Map<String, FloatTensor> tensors, String source) {
        return new WeightSource() {
            @Override
            public String source() {
                return source;
            }

            @Override
            public Set<String> names() {
                return tensors.keySet();
            }

            @Override
            public FloatTensor tensor(String name) {
                FloatTensor t = tensors.get(name);
                if (t == null) {
                    throw SparseInferException.invalidModel(source + ": missing tensor '" + name + "'");
                }
                return t;
            }
        };
    }
}
