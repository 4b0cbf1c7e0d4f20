package dev.sparseinfer.server;

import dev.sparseinfer.engine.api.Embedding;
import dev.sparseinfer.engine.runtime.EmbeddingRunner;
import dev.sparseinfer.engine.tokenizer.TokenizedText;
import java.util.ArrayList;
import java.util.List;

/**
 * What the server needs of a model: tokenising on the request's thread, so that the batcher can bound a forward pass
 * by tokens before running it, and running already tokenised texts as one pass.
 */
public interface TextEncoder extends AutoCloseable {

    int dimension();

    /** The most tokens of one text, special tokens included; longer texts are cut to this many. */
    int maxTokens();

    /** Token ids given directly must be below this. */
    int vocabularySize();

    /** Whether {@link #embed} returns unit-length vectors. */
    boolean normalizes();

    /** The short name of the backend that runs the model: {@code cpu}, {@code cuda}. */
    String backendName();

    /** Which backend runs the model, in one line. */
    String backendDescription();

    /** The tokens of each text, the model's prompt put before it, cut to {@link #maxTokens}. */
    List<TokenizedText> tokenize(List<String> texts);

    /** Embeds the texts as one forward pass, in order. */
    List<float[]> embed(List<TokenizedText> batch);

    @Override
    void close();

    /** The encoder of a model the engine opened; closing the encoder closes the model. */
    static TextEncoder of(EmbeddingRunner runner) {
        return new TextEncoder() {
            @Override
            public int dimension() {
                return runner.dimension();
            }

            @Override
            public int maxTokens() {
                return runner.maxTokens();
            }

            @Override
            public int vocabularySize() {
                return runner.config().vocabSize();
            }

            @Override
            public boolean normalizes() {
                return runner.recipe().normalize();
            }

            @Override
            public String backendName() {
                return runner.backendName();
            }

            @Override
            public String backendDescription() {
                return runner.backendDescription();
            }

            @Override
            public List<TokenizedText> tokenize(List<String> texts) {
                return runner.tokenize(texts);
            }

            @Override
            public List<float[]> embed(List<TokenizedText> batch) {
                List<Embedding> embeddings = runner.embedBatch(batch);
                List<float[]> out = new ArrayList<>(embeddings.size());
                for (Embedding e : embeddings) {
                    out.add(e.vector());
                }
                return out;
            }

            @Override
            public void close() {
                runner.close();
            }
        };
    }
}
