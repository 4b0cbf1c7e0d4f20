package dev.sparseinfer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.io.ModelLoader;
import dev.sparseinfer.engine.io.packed.TableFormat;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.engine.testing.TinyBert;
import dev.sparseinfer.engine.testing.ZeroedBert;
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
        String formats = "\nformats  detected at load: 0 layers 2:4, 0 CSR (at least 70% zeros); --formats dense keeps"
                + " them dense\n";
        assertEquals(expected + formats, cli.out(), "seed " + seed);
        assertTrue(cli.out().contains("embeddings.word_embeddings              50x12         dense fp32"), cli.out());
    }

    @Test
    void showsTheFormatsDetectedInADenseCheckpointAndKeepsThemDenseWithFormatsDense() {
        long seed = Seeds.fresh();
        // Exactly 2:4 everywhere but one group of one layer, which then stays dense.
        ZeroedBert.write(dir, seed, (name, w, out, in) -> {
            ZeroedBert.twoFour(name, w, out, in);
            if (name.equals("encoder.layer.0.output.dense.weight")) {
                w[0] = w[1] = w[2] = 1f;
            }
        });

        assertEquals(0, cli.run("inspect", "--model", dir.toString()), cli.err());
        String detected = cli.out();
        assertTrue(detected.contains("detected at load: 11 layers 2:4, 0 CSR"), "seed " + seed + "\n" + detected);
        assertTrue(detected.matches("(?s).*encoder\\.layer\\.0\\.output\\.dense +12x20 +dense fp32.*"), detected);
        assertTrue(detected.matches("(?s).*encoder\\.layer\\.1\\.output\\.dense +12x20 +2:4 fp32.*"), detected);

        CommandLineRun dense = new CommandLineRun();
        assertEquals(0, dense.run("inspect", "--model", dir.toString(), "--formats", "dense"), dense.err());
        assertTrue(dense.out().contains("formats  kept as stored (--formats dense)"), dense.out());
        assertFalse(dense.out().contains("2:4 fp32"), dense.out());
    }

    @Test
    void anUnknownFormatsValueIsAOneLineError() {
        TinyBert.write(dir, Seeds.fresh());
        assertEquals(2, cli.run("inspect", "--model", dir.toString(), "--formats", "sparse"));
        assertTrue(cli.err().contains("--formats must be auto or dense, got 'sparse'"), cli.err());
    }
}
