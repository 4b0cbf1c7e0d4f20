package dev.sparseinfer.engine.io;

import dev.sparseinfer.engine.api.EmbeddingRecipe;
import dev.sparseinfer.engine.model.bert.BertCheckpoint;
import dev.sparseinfer.engine.model.bert.BertLayerSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model opened from disk with its files still mapped: the weights are read from the mapping as a model is built
 * from them, one layer at a time, and embedding tables stored as fp32, fp16 or bf16 stay views of the mapping (see
 * {@link dev.sparseinfer.engine.format.FloatTable}). Whoever builds a model from it keeps it open as long as that
 * model runs, and closes it with the model.
 */
public final class MappedModel implements AutoCloseable {

    private final BertLayerSource weights;
    private final String tokenizerJson;
    private final String source;
    private final Map<String, String> metadata;
    private final EmbeddingRecipe recipe;
    private final List<MappedFile> files;
    private final Optional<String> notice;

    /**
     * @param recipe the pooling, normalisation and prompts the file declares ({@link EmbeddingRecipe#MEAN_NORMALIZED}
     *     where it declares none; {@link #withRecipe} adds what files beside it declare)
     * @param notice see {@link #notice()}
     */
    public MappedModel(
            BertLayerSource weights,
            String tokenizerJson,
            String source,
            Map<String, String> metadata,
            EmbeddingRecipe recipe,
            List<MappedFile> files,
            Optional<String> notice) {
        this.notice = notice;
        this.weights = weights;
        this.tokenizerJson = tokenizerJson;
        this.source = source;
        this.metadata = Map.copyOf(metadata);
        this.recipe = recipe;
        this.files = List.copyOf(files);
    }

    /**
     * The same mapping with the recipe found beside the model's file (a loader reads the weights, the caller what
     * the files next to them declare); whoever holds the result closes it, and this one with it.
     */
    public MappedModel withRecipe(EmbeddingRecipe declared) {
        return new MappedModel(weights, tokenizerJson, source, metadata, declared, files, notice);
    }

    /**
     * The same mapping with each dense linear layer in the sparse format its zeros already fit (see
     * {@link dev.sparseinfer.engine.format.SparsityDetector}), found as the layer is read; whoever holds the result
     * closes it, and this one with it.
     */
    public MappedModel withDetectedFormats() {
        return new MappedModel(new DetectedFormats(weights), tokenizerJson, source, metadata, recipe, files, notice);
    }

    public BertLayerSource weights() {
        return weights;
    }

    public String tokenizerJson() {
        return tokenizerJson;
    }

    public String source() {
        return source;
    }

    /** String metadata a packed file carries ({@code sparseinfer.recipe}, ...); empty otherwise. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The pooling, normalisation and prompts the model declares. */
    public EmbeddingRecipe recipe() {
        return recipe;
    }

    /**
     * How the loader changed what the file computes to run it here, in one line, if it did (an int8-quantised
     * ONNX graph: how its layers run and how that differs from ONNX Runtime).
     */
    public Optional<String> notice() {
        return notice;
    }

    /** Every layer read and every table copied to the heap: a model that outlives this mapping. */
    public LoadedModel inMemory() {
        return new LoadedModel(BertCheckpoint.inMemory(weights), tokenizerJson, source, metadata, recipe);
    }

    /** See {@link MappedFile#releasePages()}: for when the model built from this one no longer reads most of it. */
    public void releasePages() {
        files.forEach(MappedFile::releasePages);
    }

    @Override
    public void close() {
        files.forEach(MappedFile::close);
    }
}
