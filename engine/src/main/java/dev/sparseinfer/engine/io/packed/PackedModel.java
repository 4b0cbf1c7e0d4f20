package dev.sparseinfer.engine.io.packed;

import dev.sparseinfer.engine.api.EmbeddingRecipe;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.backend.RelativePositionBias;
import dev.sparseinfer.engine.format.FloatTable;
import dev.sparseinfer.engine.format.FloatTensor;
import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.engine.format.LayerNormWeights;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.format.LinearWeights;
import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.io.MappedModel;
import dev.sparseinfer.engine.io.WeightSource;
import dev.sparseinfer.engine.io.safetensors.SafetensorsFile;
import dev.sparseinfer.engine.io.safetensors.SafetensorsSource;
import dev.sparseinfer.engine.io.safetensors.SafetensorsWriter;
import dev.sparseinfer.engine.model.bert.BertCheckpoint;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.model.bert.BertEmbeddings;
import dev.sparseinfer.engine.model.bert.BertLayer;
import dev.sparseinfer.engine.model.bert.BertLayerSource;
import dev.sparseinfer.engine.model.bert.BertWeights;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * SparseInfer's packed model file: a standard safetensors file (any safetensors reader opens it) whose
 * {@code __metadata__} holds the format version, the architecture config, the tokenizer and how the model was
 * made, and whose linear layers are stored in their own formats ({@link PackedFormat}). Biases and LayerNorms are
 * fp32 under their Hugging Face names; embedding tables too, unless the file was written with int8 tables
 * ({@link TableFormat}), and MPNet's relative position bias ({@code encoder.relative_attention_bias.weight},
 * {@code [buckets, heads]}). The model's pooling, normalisation and prompts are in the metadata too ({@link RecipeMetadata}).
 */
public final class PackedModel {

    public static final String FORMAT_KEY = "sparseinfer.format";
    /** The version of a file with fp32 tables, which every reader since the format began opens. */
    public static final String FORMAT_VERSION = "1";
    /**
     * The version of a file with int8 tables. It differs so that a reader that knows only version 1 refuses such a
     * file by its version, instead of failing on a missing fp32 table with a message that does not say why.
     */
    public static final String INT8_TABLES_VERSION = "2";

    public static final String CONFIG_KEY = "sparseinfer.config";
    public static final String TOKENIZER_KEY = "sparseinfer.tokenizer";
    public static final String RECIPE_KEY = "sparseinfer.recipe";
    public static final String INT8_SCHEME_KEY = "sparseinfer.int8_scheme";
    public static final String TABLES_KEY = "sparseinfer.tables";

    private PackedModel() {}

    /** Writes a model with fp32 tables; see {@link #write(LoadedModel, String, TableFormat, Path)}. */
    public static void write(LoadedModel model, String recipeJson, Path target) {
        write(model, recipeJson, TableFormat.FP32, target);
    }

    /**
     * Writes a model atomically (temporary file, then rename); {@code recipeJson} says how it was made, {@code tables}
     * how its embedding tables are stored (int8 tables are quantised here, so the file holds less than the model).
     */
    public static void write(LoadedModel model, String recipeJson, TableFormat tables, Path target) {
        BertWeights w = model.weights();
        SafetensorsWriter out = new SafetensorsWriter()
                .recordSha256(TensorDigests.KEY)
                .metadata(FORMAT_KEY, tables == TableFormat.INT8 ? INT8_TABLES_VERSION : FORMAT_VERSION)
                .metadata(CONFIG_KEY, w.config().toJson())
                .metadata(TOKENIZER_KEY, model.tokenizerJson())
                .metadata(RECIPE_KEY, recipeJson)
                .metadata(TABLES_KEY, tables.label());
        RecipeMetadata.write(model.recipe(), out);
        table(out, "embeddings.word_embeddings.weight", w.embeddings().word(), tables);
        table(out, "embeddings.position_embeddings.weight", w.embeddings().position(), tables);
        table(out, "embeddings.token_type_embeddings.weight", w.embeddings().tokenType(), tables);
        norm(out, "embeddings.LayerNorm", w.embeddings().norm());
        RelativePositionBias bias = w.embeddings().relativePositionBias();
        if (bias != null) {
            out.addF32(BertCheckpoint.RELATIVE_POSITION_BIAS, new int[] {bias.rows(), bias.heads()}, bias.table());
        }
        Int8Scheme scheme = null;
        for (int i = 0; i < w.layers().size(); i++) {
            BertLayer layer = w.layers().get(i);
            String p = "encoder.layer." + i + ".";
            scheme = linear(out, p + "attention.self.query", layer.query(), scheme);
            scheme = linear(out, p + "attention.self.key", layer.key(), scheme);
            scheme = linear(out, p + "attention.self.value", layer.value(), scheme);
            scheme = linear(out, p + "attention.output.dense", layer.attentionOutput(), scheme);
            norm(out, p + "attention.output.LayerNorm", layer.attentionNorm());
            scheme = linear(out, p + "intermediate.dense", layer.intermediate(), scheme);
            scheme = linear(out, p + "output.dense", layer.output(), scheme);
            norm(out, p + "output.LayerNorm", layer.outputNorm());
        }
        if (scheme != null) {
            out.metadata(INT8_SCHEME_KEY, scheme.label());
        }
        out.write(target);
    }

    private static void table(SafetensorsWriter out, String name, FloatTable t, TableFormat format) {
        switch (format) {
            case FP32 ->
                out.addF32(name, new int[] {t.rows(), t.cols()}, t.toMatrix().data());
            case INT8 -> PackedFormat.writeInt8Table(name, t, out);
        }
    }

    private static void norm(SafetensorsWriter out, String name, LayerNormWeights n) {
        out.addF32(name + ".weight", new int[] {n.features()}, n.gamma());
        out.addF32(name + ".bias", new int[] {n.features()}, n.beta());
    }

    private static Int8Scheme linear(SafetensorsWriter out, String name, Linear linear, Int8Scheme scheme) {
        Int8Scheme used = PackedFormat.write(name, linear.weights(), out);
        out.addF32(name + ".bias", new int[] {linear.bias().length}, linear.bias());
        if (used != null && scheme != null && used != scheme) {
            throw SparseInferException.invalidArgument("a packed file holds one int8 scheme; " + name + " is "
                    + used.label() + " but earlier layers are " + scheme.label());
        }
        return used != null ? used : scheme;
    }

    /** Whether a file is a packed model: a safetensors file whose metadata names our format. */
    public static boolean isPacked(SafetensorsFile file) {
        return file.metadata().containsKey(FORMAT_KEY);
    }

    /** Reads a whole packed model into memory (see {@link #open}); the file is unmapped before this returns. */
    public static LoadedModel load(Path path) {
        try (MappedModel model = open(path)) {
            return model.inMemory();
        }
    }

    /**
     * Maps a packed model; its layers are read from the mapping as a model is built from them, its fp32 tables
     * stay views of it (see {@link MappedModel}). A file that records tensor digests ({@link TensorDigests}) is
     * checked first and refused if any tensor does not match; one written before digests were recorded opens
     * unchecked.
     */
    public static MappedModel open(Path path) {
        SafetensorsFile file = SafetensorsFile.open(path);
        try {
            Map<String, String> meta = file.metadata();
            String version = meta.get(FORMAT_KEY);
            if (version == null) {
                throw SparseInferException.invalidModel(path + ": a safetensors file without SparseInfer metadata "
                        + "(use a Hugging Face directory for plain checkpoints)");
            }
            if (!FORMAT_VERSION.equals(version) && !INT8_TABLES_VERSION.equals(version)) {
                throw SparseInferException.invalidModel(path + ": packed format version " + version
                        + " is not supported (expected " + FORMAT_VERSION + " or " + INT8_TABLES_VERSION + ")");
            }
            for (String key : new String[] {CONFIG_KEY, TOKENIZER_KEY}) {
                if (!meta.containsKey(key)) {
                    throw SparseInferException.invalidModel(path + ": metadata has no " + key);
                }
            }
            TensorDigests.check(file).requireIntact(file);
            BertConfig config = BertConfig.fromJson(meta.get(CONFIG_KEY), path + " (" + CONFIG_KEY + ")");
            String schemeLabel = meta.get(INT8_SCHEME_KEY);
            Int8Scheme scheme = schemeLabel == null ? null : Int8Scheme.parseModel(schemeLabel, path.toString());
            TableFormat tables = tableFormat(path, version, meta.get(TABLES_KEY));
            EmbeddingRecipe recipe = RecipeMetadata.read(meta, path.toString());
            BertLayerSource weights =
                    withFileNamed(path, () -> BertCheckpoint.read(new PackedSource(file, scheme, tables), config));
            return new MappedModel(
                    new FileNamedLayers(path, weights),
                    meta.get(TOKENIZER_KEY),
                    path.toString(),
                    new LinkedHashMap<>(meta),
                    recipe,
                    List.of(file),
                    Optional.empty());
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** The tables' format a file records; version 1 files, some written before it was recorded, have fp32 tables. */
    private static TableFormat tableFormat(Path path, String version, String label) {
        TableFormat tables = label == null ? TableFormat.FP32 : TableFormat.parseModel(label, path.toString());
        if ((tables == TableFormat.INT8) != INT8_TABLES_VERSION.equals(version)) {
            throw SparseInferException.invalidModel(path + ": packed format version " + version + " cannot hold "
                    + tables.label() + " embedding tables");
        }
        return tables;
    }

    /** Puts the file's name in front of an error from code that checks values without knowing their file. */
    private static <T> T withFileNamed(Path path, Supplier<T> read) {
        try {
            return read.get();
        } catch (SparseInferException e) {
            if (e.getMessage().startsWith(path.toString())) {
                throw e;
            }
            throw new SparseInferException(e.code(), path + ": " + e.getMessage(), e);
        }
    }

    /** Layers read as they are asked for, with the file named in their errors as in those found while opening. */
    private record FileNamedLayers(Path path, BertLayerSource layers) implements BertLayerSource {

        @Override
        public BertConfig config() {
            return layers.config();
        }

        @Override
        public BertEmbeddings embeddings() {
            return layers.embeddings();
        }

        @Override
        public int layerCount() {
            return layers.layerCount();
        }

        @Override
        public BertLayer layer(int index) {
            return withFileNamed(path, () -> layers.layer(index));
        }
    }

    /** The file's tensors as a weight source that reads each linear layer in its stored format. */
    private static final class PackedSource implements WeightSource {

        private final SafetensorsFile file;
        private final Int8Scheme scheme;
        private final TableFormat tables;
        private final SafetensorsSource tensors;

        PackedSource(SafetensorsFile file, Int8Scheme scheme, TableFormat tables) {
            this.file = file;
            this.scheme = scheme;
            this.tables = tables;
            Map<String, SafetensorsFile> all = new LinkedHashMap<>();
            file.tensors().keySet().forEach(name -> all.put(name, file));
            this.tensors = new SafetensorsSource(all, file.path().toString());
        }

        @Override
        public String source() {
            return tensors.source();
        }

        @Override
        public Set<String> names() {
            return tensors.names();
        }

        @Override
        public FloatTensor tensor(String name) {
            return tensors.tensor(name);
        }

        @Override
        public int[] shape(String name) {
            // The config is checked against the tables' shapes before they are read; an int8 table has its values'.
            boolean int8Table =
                    tables == TableFormat.INT8 && !file.has(name) && file.has(name + PackedFormat.TABLE_INT8);
            return tensors.shape(int8Table ? name + PackedFormat.TABLE_INT8 : name);
        }

        @Override
        public FloatTable table(String name) {
            return switch (tables) {
                case FP32 -> tensors.table(name);
                case INT8 -> PackedFormat.readInt8Table(name, file);
            };
        }

        @Override
        public LinearWeights linear(String prefix) {
            return PackedFormat.read(prefix, file, scheme);
        }
    }
}
