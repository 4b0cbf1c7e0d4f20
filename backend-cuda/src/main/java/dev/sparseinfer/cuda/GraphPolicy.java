package dev.sparseinfer.cuda;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * When a one-sequence forward pass runs eagerly, is recorded as a CUDA graph, or replays one, keyed by token
 * count. A token count runs eagerly first, so the activation arena and the cuSPARSE plans grow to its size
 * outside any recording; the second pass of that count is recorded; later ones replay. A graph holds the arena's
 * addresses, so all graphs are dropped when the arena moves (a new {@link ActivationArena#generation()}) or a
 * cuSPARSE plan is remade; a token count whose recording failed runs eagerly until then, when every count starts
 * over.
 *
 * @param <G> the recorded graph
 */
final class GraphPolicy<G> {

    enum Step {
        EAGER,
        RECORD,
        REPLAY
    }

    private final Consumer<G> destroy;
    private final Map<Integer, G> graphs = new HashMap<>();
    private final Set<Integer> ranEagerly = new HashSet<>();
    private final Set<Integer> notRecordable = new HashSet<>();
    private long generation;

    GraphPolicy(Consumer<G> destroy) {
        this.destroy = destroy;
    }

    Step next(int tokens, long arenaGeneration) {
        if (arenaGeneration != generation) {
            clear();
            generation = arenaGeneration;
        }
        if (graphs.containsKey(tokens)) {
            return Step.REPLAY;
        }
        return ranEagerly.contains(tokens) && !notRecordable.contains(tokens) ? Step.RECORD : Step.EAGER;
    }

    void ranEagerly(int tokens) {
        ranEagerly.add(tokens);
    }

    void recorded(int tokens, G graph) {
        graphs.put(tokens, graph);
    }

    void recordingFailed(int tokens) {
        notRecordable.add(tokens);
    }

    G graph(int tokens) {
        return graphs.get(tokens);
    }

    /** Destroys every graph; the token counts start over, those whose recording failed included. */
    void clear() {
        graphs.values().forEach(destroy);
        graphs.clear();
        ranEagerly.clear();
        notRecordable.clear();
    }
}
