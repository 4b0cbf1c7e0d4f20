package dev.sparseinfer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.SparseInferException;
import org.junit.jupiter.api.Test;

/** {@code serve}'s model names and the usage errors it gives before it listens. */
class ServeCommandTest {

    private final CommandLineRun cli = new CommandLineRun();

    @Test
    void namesAModelAfterItsSpecUnlessGivenOne() {
        assertEquals(new ServedModelSpec("minilm", "minilm"), ServedModelSpec.parse("minilm"));
        assertEquals(
                new ServedModelSpec("pruned", "/models/pruned.safetensors"),
                ServedModelSpec.parse("/models/pruned.safetensors"));
        assertEquals(new ServedModelSpec("model", "dir/model.onnx"), ServedModelSpec.parse("dir/model.onnx"));
        assertEquals(new ServedModelSpec("bge-small", "/hf/bge-small/"), ServedModelSpec.parse("/hf/bge-small/"));
        assertEquals(new ServedModelSpec("fast", "/m/x=y.onnx"), ServedModelSpec.parse("fast=/m/x=y.onnx"));
        assertThrows(SparseInferException.class, () -> ServedModelSpec.parse("/m/a=b"), "'a=b' is no name");
        assertThrows(SparseInferException.class, () -> ServedModelSpec.parse("name="));
    }

    @Test
    void twoModelsOfOneNameAreAUsageError() {
        assertEquals(2, cli.run("serve", "--model", "minilm", "--model", "x/minilm", "--port", "0"));
        assertTrue(cli.err().contains("two models are named 'minilm'"), cli.err());
    }

    @Test
    void limitsThatCouldNeverServeARequestAreAUsageError() {
        assertEquals(2, cli.run("serve", "--model", "minilm", "--max-inputs", "100", "--max-queue", "10"));
        assertTrue(cli.err().contains("exceeds the queue's max texts"), cli.err());
        assertEquals(2, cli.run("serve", "--model", "minilm", "--port", "70000"));
        assertTrue(cli.err().contains("port must be in 0..65535"), cli.err());
    }

    @Test
    void helpListsTheEndpointsAndOptions() {
        assertEquals(0, cli.run("serve", "--help"));
        for (String s : new String[] {"/v1/embeddings", "--max-wait-us", "--api-key", "--no-request-log"}) {
            assertTrue(cli.out().contains(s), s);
        }
        assertTrue(cli.err().isEmpty(), cli.err());
    }
}
