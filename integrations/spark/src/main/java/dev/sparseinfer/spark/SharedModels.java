package dev.sparseinfer.spark;

import dev.sparseinfer.engine.api.EmbeddingModel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models open in this JVM, one per {@link ModelSettings}, opened by the first task that needs one and shared by
 * every later task of the executor: a model maps its file and prepares its weights once, which costs far more than
 * embedding a partition of short texts, and {@link EmbeddingModel} is safe to share between threads. They are
 * closed when the JVM exits.
 */
final class SharedModels {

    private static final Logger LOG = LoggerFactory.getLogger(SharedModels.class);
    private static final Map<ModelSettings, EmbeddingModel> MODELS = new ConcurrentHashMap<>();
    private static final Map<ModelSettings, AtomicInteger> OPENS = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(SharedModels::closeAll, "sparseinfer-close-models"));
    }

    private SharedModels() {}

    /**
     * The model for these settings, opened now if no task of this JVM has opened it.
     *
     * @throws dev.sparseinfer.engine.api.SparseInferException if it cannot be found or opened; nothing is kept, so
     *     the next task tries again
     */
    static EmbeddingModel get(ModelSettings settings) {
        return MODELS.computeIfAbsent(settings, SharedModels::open);
    }

    /** How many times this JVM has opened a model for these settings. */
    static int opens(ModelSettings settings) {
        AtomicInteger count = OPENS.get(settings);
        return count == null ? 0 : count.get();
    }

    private static EmbeddingModel open(ModelSettings settings) {
        long start = System.nanoTime();
        EmbeddingModel model = EmbeddingModel.open(ModelLocator.locate(settings.model()), settings.options());
        OPENS.computeIfAbsent(settings, s -> new AtomicInteger()).incrementAndGet();
        LOG.info(
                "opened model '{}' for this JVM's tasks in {} ms: {}",
                settings.model(),
                (System.nanoTime() - start) / 1_000_000,
                model.backendDescription());
        model.backendNotice().ifPresent(LOG::warn);
        return model;
    }

    private static void closeAll() {
        MODELS.values().forEach(EmbeddingModel::close);
    }
}
