package dev.sparseinfer.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparseinfer.cuda.GraphPolicy.Step;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GraphPolicyTest {

    private final List<String> destroyed = new ArrayList<>();
    private final GraphPolicy<String> policy = new GraphPolicy<>(destroyed::add);

    @Test
    void aTokenCountRunsEagerlyThenIsRecordedThenReplays() {
        assertEquals(Step.EAGER, policy.next(7, 0));
        policy.ranEagerly(7);
        assertEquals(Step.EAGER, policy.next(9, 0), "another count starts over");
        assertEquals(Step.RECORD, policy.next(7, 0));
        policy.recorded(7, "graph 7");
        assertEquals(Step.REPLAY, policy.next(7, 0));
        assertEquals("graph 7", policy.graph(7));
    }

    @Test
    void aMovedArenaDropsEveryGraph() {
        policy.ranEagerly(7);
        policy.recorded(7, "graph 7");
        assertEquals(Step.EAGER, policy.next(7, 1));
        assertEquals(List.of("graph 7"), destroyed);
        policy.ranEagerly(7);
        assertEquals(Step.RECORD, policy.next(7, 1));
    }

    @Test
    void aCountWhoseRecordingFailedStaysEagerWhileTheArenaStays() {
        policy.ranEagerly(5);
        assertEquals(Step.RECORD, policy.next(5, 0));
        policy.recordingFailed(5);
        for (int pass = 0; pass < 3; pass++) {
            policy.ranEagerly(5);
            assertEquals(Step.EAGER, policy.next(5, 0));
        }
    }

    /** A recording can fail on a plan or scratch block since replaced: one failure must not last the backend's life. */
    @Test
    void aMovedArenaGivesACountWhoseRecordingFailedAnotherTry() {
        policy.ranEagerly(5);
        policy.recordingFailed(5);
        assertEquals(Step.EAGER, policy.next(5, 1));
        policy.ranEagerly(5);
        assertEquals(Step.RECORD, policy.next(5, 1));
    }

    @Test
    void droppedGraphsGiveACountWhoseRecordingFailedAnotherTry() {
        policy.ranEagerly(5);
        policy.recordingFailed(5);
        policy.clear();
        assertEquals(Step.EAGER, policy.next(5, 0));
        policy.ranEagerly(5);
        assertEquals(Step.RECORD, policy.next(5, 0));
    }
}
