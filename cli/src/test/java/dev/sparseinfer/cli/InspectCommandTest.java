package dev.sparseinfer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.io.ModelLoader;
import dev.sparseinfer.engine.io.packed.TableFormat;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.engine.testing.TinyBert;
import dev.sparseinfer.models.ModelInventory;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code inspect} reads a model from its mapping, a layer at a time, and prints what the whole model in memory gives. */
class InspectCommandTest {

    @TempDir
    Path dir;

    private final CommandLineRun cli = new CommandLineRun();

    @Test
    void printsFromTheMappingWhatTheModelInMemoryGives() throws IOException {
        // A Hugging Face directory with an F16 word table and an F16 linear layer, both widened as they are read.
        long seed = Seeds.fresh();
        TinyBert.write(dir, seed);
        Files.writeString(dir.resolve("tokenizer.json"), "{}");

        assertEquals(0, cli.run("inspect", "--model", dir.toString()), cli.err());

        LoadedModel loaded = ModelLoader.load(dir);
        StringWriter expected = new StringWriter();
        InspectCommand.print(
                loaded.source(),
                loaded.weights().config(),
                loaded.recipe(),
                ModelInventory.of(loaded.weights(), TableFormat.FP32),
                new PrintWriter(expected, true));
        assertEquals(expected.toString(), cli.out(), "seed " + seed);
        assertTrue(cli.out().contains("embeddings.word_embeddings              50x12         dense fp32"), cli.out());
    }
}
