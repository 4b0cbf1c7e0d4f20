package dev.sparseinfer.engine.io.safetensors;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.format.FloatTable;
import dev.sparseinfer.engine.format.FloatTensor;
import dev.sparseinfer.engine.io.WeightSource;
import java.util.Map;
import java.util.Set;

/**
 * Tensors of one or more mapped safetensors files (the shards of a checkpoint), each read when it is asked for:
 * tables (F32, F16, BF16) as views of the mapping, everything else copied out as fp32.
 *
 * @param files  which file holds each tensor
 * @param source the checkpoint as a whole, for messages
 */
public record SafetensorsSource(Map<String, SafetensorsFile> files, String source) implements WeightSource {

    public SafetensorsSource {
        files = Map.copyOf(files);
    }

    @Override
    public Set<String> names() {
        return files.keySet();
    }

    @Override
    public FloatTensor tensor(String name) {
        return file(name).readFloats(name);
    }

    @Override
    public int[] shape(String name) {
        return file(name).info(name).shape();
    }

    @Override
    public FloatTable table(String name) {
        return file(name).table(name);
    }

    /** The file holding the tensor, or a one-line error naming it and the checkpoint. */
    public SafetensorsFile file(String name) {
        SafetensorsFile file = files.get(name);
        if (file == null) {
            throw SparseInferException.invalidModel(source + ": missing tensor '" + name + "'");
        }
        return file;
    }
}
