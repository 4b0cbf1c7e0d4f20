package dev.sparseinfer.server;

import dev.sparseinfer.engine.tokenizer.TokenizedText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A model the server answers for under {@code name}: its encoder, and the batcher that feeds it. */
final class ServedModel implements AutoCloseable {

    /** Vectors in the request's order, and the tokens they took (what OpenAI's usage counts). */
    record Embedded(float[][] vectors, long tokens) {}

    private final String name;
    private final TextEncoder encoder;
    private final Batcher batcher;
    private final long createdEpochSeconds = System.currentTimeMillis() / 1000;

    ServedModel(String name, TextEncoder encoder, BatchPolicy policy, ServerMetrics metrics) {
        this.name = name;
        this.encoder = encoder;
        this.batcher = new Batcher(name, encoder, policy, metrics);
        metrics.addModel(name, encoder.backendDescription(), batcher::queuedTexts);
    }

    String name() {
        return name;
    }

    /** Tokens in one forward pass at most. */
    int maxBatchTokens() {
        return batcher.maxBatchTokens();
    }

    TextEncoder encoder() {
        return encoder;
    }

    long createdEpochSeconds() {
        return createdEpochSeconds;
    }

    /**
     * Tokenises on the caller's thread, queues the tokens, and waits for the vectors.
     *
     * @param truncate whether a text longer than the model takes is cut (else refused with 413); token ids are
     *                 never cut
     */
    Embedded embed(EmbeddingInput input, String param, boolean truncate, Duration timeout) {
        List<TokenizedText> tokens = switch (input) {
            case EmbeddingInput.Texts t -> textTokens(t.texts(), param, truncate);
            case EmbeddingInput.TokenIds ids -> givenTokens(ids.ids(), param);
        };
        long count = 0;
        for (TokenizedText t : tokens) {
            count += t.length();
        }
        CompletableFuture<float[][]> result;
        try {
            result = batcher.submit(tokens);
        } catch (QueueFullException e) {
            throw new ApiException(429, "rate_limit_error", null, "queue_full", e.getMessage(), 1);
        } catch (IllegalStateException e) {
            throw ApiException.unavailable("shutting_down", e.getMessage());
        }
        try {
            return new Embedded(result.get(timeout.toNanos(), TimeUnit.NANOSECONDS), count);
        } catch (TimeoutException | CancellationException e) {
            result.cancel(false);
            throw ApiException.unavailable(
                    "timeout", "no vectors after " + timeout.toMillis() + " ms: the server is overloaded");
        } catch (InterruptedException e) {
            result.cancel(false);
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted", "the request was interrupted");
        } catch (ExecutionException e) {
            throw new IllegalStateException("embedding failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private List<TokenizedText> textTokens(List<String> texts, String param, boolean truncate) {
        List<TokenizedText> tokens = encoder.tokenize(texts);
        if (!truncate) {
            int max = encoder.maxTokens();
            for (int i = 0; i < tokens.size(); i++) {
                // The tokenizer has already cut the text; one that fills the window may have been longer.
                if (tokens.get(i).length() >= max) {
                    throw ApiException.tooLarge(
                            param,
                            where(param, i, texts.size()) + " fills the model's " + max + "-token window and may"
                                    + " be longer; send truncate=true to embed its first " + max + " tokens");
                }
            }
        }
        return tokens;
    }

    private List<TokenizedText> givenTokens(List<int[]> ids, String param) {
        int vocabulary = encoder.vocabularySize();
        int max = encoder.maxTokens();
        List<TokenizedText> tokens = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            int[] text = ids.get(i);
            if (text.length > max) {
                throw ApiException.invalid(
                        param,
                        where(param, i, ids.size()) + " has " + text.length + " tokens, more than model '" + name
                                + "' takes (" + max + ")");
            }
            for (int id : text) {
                if (id >= vocabulary) {
                    throw ApiException.invalid(
                            param,
                            where(param, i, ids.size()) + " has token id " + id + ", outside model '" + name
                                    + "''s vocabulary of " + vocabulary);
                }
            }
            tokens.add(new TokenizedText(text, new int[text.length]));
        }
        return tokens;
    }

    private static String where(String param, int i, int size) {
        return size == 1 ? param : param + "[" + i + "]";
    }

    /** Runs what is queued, then closes the model. */
    @Override
    public void close() {
        batcher.close();
        encoder.close();
    }
}
