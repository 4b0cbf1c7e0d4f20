package dev.sparseinfer.server;

import dev.sparseinfer.engine.tokenizer.TokenizedText;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;

/**
 * A model whose vectors are a fixed function of the token ids, so tests know every answer: one token per word
 * between [CLS] (101) and [SEP] (102), at most {@link #MAX_TOKENS}. {@link #closeGate} makes forward passes wait
 * until {@link #openGate}, so tests can hold the batcher busy.
 */
final class FakeEncoder implements TextEncoder {

    static final int DIMENSION = 4;
    static final int MAX_TOKENS = 8;
    static final int VOCABULARY = 1000;

    /** Texts per forward pass, in the order the passes ran. */
    final List<Integer> passSizes = new CopyOnWriteArrayList<>();

    private final boolean normalizes;
    private volatile Semaphore gate;
    private volatile CountDownLatch entered = new CountDownLatch(1);

    FakeEncoder(boolean normalizes) {
        this.normalizes = normalizes;
    }

    void closeGate() {
        entered = new CountDownLatch(1);
        gate = new Semaphore(0);
    }

    /** Waits until a forward pass is held at the closed gate. */
    void awaitPassAtGate() throws InterruptedException {
        entered.await();
    }

    void openGate() {
        Semaphore g = gate;
        gate = null;
        if (g != null) {
            g.release(Integer.MAX_VALUE / 2);
        }
    }

    @Override
    public int dimension() {
        return DIMENSION;
    }

    @Override
    public int maxTokens() {
        return MAX_TOKENS;
    }

    @Override
    public int vocabularySize() {
        return VOCABULARY;
    }

    @Override
    public boolean normalizes() {
        return normalizes;
    }

    @Override
    public String backendName() {
        return "fake";
    }

    @Override
    public String backendDescription() {
        return "fake (test)";
    }

    @Override
    public List<TokenizedText> tokenize(List<String> texts) {
        List<TokenizedText> out = new ArrayList<>(texts.size());
        for (String text : texts) {
            out.add(tokens(text));
        }
        return out;
    }

    static TokenizedText tokens(String text) {
        String[] words = text.strip().split("\\s+");
        int n = Math.min(MAX_TOKENS, words.length + 2);
        int[] ids = new int[n];
        ids[0] = 101;
        for (int i = 1; i < n - 1; i++) {
            ids[i] = 200 + Math.floorMod(words[i - 1].hashCode(), VOCABULARY - 200);
        }
        ids[n - 1] = 102;
        return new TokenizedText(ids, new int[n]);
    }

    @Override
    public List<float[]> embed(List<TokenizedText> batch) {
        Semaphore g = gate;
        if (g != null) {
            entered.countDown();
            g.acquireUninterruptibly();
        }
        passSizes.add(batch.size());
        List<float[]> out = new ArrayList<>(batch.size());
        for (TokenizedText t : batch) {
            out.add(vector(t.ids(), normalizes));
        }
        return out;
    }

    /** The vector of a token sequence: a fixed function of its ids. */
    static float[] vector(int[] ids, boolean normalize) {
        float[] v = new float[DIMENSION];
        for (int i = 0; i < ids.length; i++) {
            v[i % DIMENSION] += ids[i] * (i + 1);
        }
        v[DIMENSION - 1] += ids.length;
        if (normalize) {
            VectorJson.normalizeInPlace(v);
        }
        return v;
    }

    static float[] vector(String text, boolean normalize) {
        return vector(tokens(text).ids(), normalize);
    }

    @Override
    public void close() {}
}
