package dev.sparseinfer.engine.runtime;

import dev.sparseinfer.engine.api.Embedding;
import dev.sparseinfer.engine.api.EmbeddingRecipe;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.backend.BackendSelection;
import dev.sparseinfer.engine.backend.TokenBatch;
import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.io.MappedModel;
import dev.sparseinfer.engine.io.ModelLoader;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.model.bert.BertEncoder;
import dev.sparseinfer.engine.model.bert.BertLayerSource;
import dev.sparseinfer.engine.tokenizer.TextTokenizer;
import dev.sparseinfer.engine.tokenizer.TokenizedText;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A tokenizer and a BERT encoder prepared on a backend: what {@link dev.sparseinfer.engine.api.EmbeddingModel} runs,
 * with the entry points only this project's own tools need besides (a model already loaded into memory, tokenising
 * apart from embedding so benchmarks can leave it out of the time, the architecture).
 *
 * <p>Safe to share between threads: the weights are read-only and each call works on its own buffers.
 */
public final class EmbeddingRunner implements AutoCloseable {

    private final TextTokenizer tokenizer;
    private final BackendSelection selection;
    private final BertEncoder encoder;
    private final ModelOptions options;
    private final EmbeddingRecipe recipe;
    /** Put before every text before it is tokenised; empty for none. */
    private final String prompt;
    /** The leading tokens of every text left out of pooling (see {@link PromptExcludedPooling}); 0 for none. */
    private final int unpooledTokens;
    /** The mapped file the encoder reads its embedding tables from, or null for a model loaded into memory. */
    private final MappedModel mapping;

    private volatile boolean closed;

    private EmbeddingRunner(
            TextTokenizer tokenizer,
            BackendSelection selection,
            BertEncoder encoder,
            ModelOptions options,
            EmbeddingRecipe recipe,
            MappedModel mapping) {
        this.tokenizer = tokenizer;
        this.selection = selection;
        this.encoder = encoder;
        this.options = options;
        this.recipe = recipe;
        this.prompt = options.prompt() != null
                ? options.prompt()
                : recipe.defaultPrompt().orElse("");
        this.mapping = mapping;
        this.unpooledTokens = unpooledTokens(tokenizer, prompt, recipe);
    }

    /**
     * How many leading tokens {@code include_prompt: false} leaves out of pooling: as sentence-transformers counts
     * them, the prompt's tokens alone less one (its closing special token). Pooling that reads one token is unchanged.
     */
    private static int unpooledTokens(TextTokenizer tokenizer, String prompt, EmbeddingRecipe recipe) {
        boolean poolsEveryToken = recipe.pooling() == Pooling.MEAN || recipe.pooling() == Pooling.MAX;
        if (recipe.includePrompt() || prompt.isEmpty() || !poolsEveryToken) {
            return 0;
        }
        return Math.max(0, tokenizer.encode(List.of(prompt)).getFirst().length() - 1);
    }

    /**
     * Opens a model file or directory (see {@link ModelLoader}) on the backend the options ask for. The file stays
     * mapped until {@link #close}: the layers are read from it one at a time while the backend prepares them, and
     * the embedding tables are read from it as tokens look them up.
     */
    public static EmbeddingRunner open(Path model, ModelOptions options) {
        MappedModel mapped = ModelLoader.open(model, options.detectSparseFormats());
        try {
            EmbeddingRunner opened =
                    open(mapped.weights(), mapped.tokenizerJson(), mapped.source(), mapped.recipe(), options, mapped);
            mapped.releasePages();
            return opened;
        } catch (RuntimeException e) {
            mapped.close();
            throw e;
        }
    }

    /** Runs a model already loaded into memory (built by a pruner, say, and not yet written). */
    public static EmbeddingRunner open(LoadedModel model, ModelOptions options) {
        return open(model.weights(), model.tokenizerJson(), model.source(), model.recipe(), options, null);
    }

    private static EmbeddingRunner open(
            BertLayerSource weights,
            String tokenizerJson,
            String source,
            EmbeddingRecipe declared,
            ModelOptions options,
            MappedModel mapping) {
        // A prompt name the model lacks fails here, before anything is prepared.
        EmbeddingRecipe recipe = declared.with(options);
        TextTokenizer tokenizer = TextTokenizer.fromJson(tokenizerJson, source);
        try {
            BackendSelection selected =
                    BackendSelection.select(options.backend(), options.threads(), options.precision());
            BackendSelection.Prepared<BertEncoder> prepared = selected.prepare(
                    options.backend(),
                    options.threads(),
                    options.precision(),
                    backend -> new BertEncoder(weights, backend));
            return new EmbeddingRunner(tokenizer, prepared.selection(), prepared.model(), options, recipe, mapping);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    public BertConfig config() {
        return encoder.config();
    }

    /** Length of every embedding vector. */
    public int dimension() {
        return encoder.config().hiddenSize();
    }

    /**
     * The most tokens of one text the model sees, special tokens included: the tokenizer's truncation length,
     * capped by the position table. (A tokenizer.json that does not truncate leaves the position table's size.)
     */
    public int maxTokens() {
        int positions = encoder.config().maxTokens();
        int truncation = tokenizer.maxLength();
        return truncation < 0 ? positions : Math.min(truncation, positions);
    }

    /** The pooling, normalisation and prompts this model runs with: the model's, with the options' choices. */
    public EmbeddingRecipe recipe() {
        return recipe;
    }

    /** The text put before every text, a named prompt's or the options' literal one; empty for none. */
    public String prompt() {
        return prompt;
    }

    /** The short name of the backend that runs the model: {@code cpu}, {@code cuda}. */
    public String backendName() {
        return selection.backend().name();
    }

    /** One line saying which backend runs the model and how. */
    public String backendDescription() {
        return selection.backend().description();
    }

    /** Why the model runs slower than this machine allows, in one line, if it does. */
    public Optional<String> backendNotice() {
        return selection.notice();
    }

    /** How the model runs differently from what its file computes, in one line, if it does. */
    public Optional<String> modelNotice() {
        return mapping == null ? Optional.empty() : mapping.notice();
    }

    /** Embeds the texts in order, {@link ModelOptions#batchSize()} at a time. */
    public List<Embedding> embed(List<String> texts) {
        requireOpen();
        List<Embedding> out = new ArrayList<>(texts.size());
        for (int from = 0; from < texts.size(); from += options.batchSize()) {
            List<String> chunk = texts.subList(from, Math.min(texts.size(), from + options.batchSize()));
            out.addAll(embedBatch(tokenizer.encode(prompted(chunk))));
        }
        return out;
    }

    /** Embeds already tokenised texts as one batch (benchmarks use this to leave tokenisation out). */
    public List<Embedding> embedBatch(List<TokenizedText> texts) {
        requireOpen();
        int[][] ids = new int[texts.size()][];
        int[][] types = new int[texts.size()][];
        for (int i = 0; i < texts.size(); i++) {
            ids[i] = texts.get(i).ids();
            types[i] = texts.get(i).typeIds();
        }
        TokenBatch batch = TokenBatch.pack(ids, types);
        float[][] vectors = unpooledTokens == 0
                ? encoder.forward(batch, recipe.pooling(), recipe.normalize())
                : PromptExcludedPooling.pool(
                        encoder.hiddenStates(batch, encoder.layerCount()),
                        dimension(),
                        batch,
                        unpooledTokens,
                        recipe.pooling(),
                        recipe.normalize());
        List<Embedding> out = new ArrayList<>(texts.size());
        for (int i = 0; i < vectors.length; i++) {
            out.add(new Embedding(vectors[i], ids[i].length));
        }
        return out;
    }

    /** Tokenises without running the model, the prompt put before each text as {@link #embed} does. */
    public List<TokenizedText> tokenize(List<String> texts) {
        requireOpen();
        return tokenizer.encode(prompted(texts));
    }

    /**
     * The texts with the prompt in front, as sentence-transformers does it: the prompt becomes part of the text, so
     * its tokens count, and truncation cuts the text's end, never the prompt.
     */
    private List<String> prompted(List<String> texts) {
        if (prompt.isEmpty()) {
            return texts;
        }
        List<String> out = new ArrayList<>(texts.size());
        for (String text : texts) {
            out.add(prompt + text);
        }
        return out;
    }

    /**
     * A call after close fails here, with a message, rather than in the tokenizer's native code. (A call still
     * running when another thread closes the model fails too: the mapped tables then throw, nothing crashes.)
     */
    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the model is closed");
        }
    }

    /** Frees the backend's buffers and the tokenizer and unmaps the model file. Closing twice does nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        selection.backend().close();
        tokenizer.close();
        if (mapping != null) {
            mapping.close();
        }
    }
}
