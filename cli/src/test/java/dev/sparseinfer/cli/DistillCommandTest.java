package dev.sparseinfer.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.format.CsrInt8Weights;
import dev.sparseinfer.engine.format.TwoFourInt8Weights;
import dev.sparseinfer.engine.format.TwoFourWeights;
import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.io.packed.PackedModel;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.models.ModelInventory;
import dev.sparseinfer.models.ModelRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code distill} on a tiny model with MiniLM's tokenizer: a packed 2:4 result, and a run split by --resume. */
class DistillCommandTest {

    private static final BertConfig TINY = new BertConfig(30522, 16, 1, 4, 28, 512, 2, 1e-12, BertConfig.GELU);

    @TempDir
    Path dir;

    private final CommandLineRun cli = new CommandLineRun();
    private final long seed = Seeds.fresh();
    private Path teacher;
    private Path corpus;

    @BeforeEach
    void writeTeacherAndCorpus() throws IOException {
        teacher = dir.resolve("teacher.safetensors");
        PackedModel.write(
                new LoadedModel(RandomBert.weights(TINY, new Random(seed)), minilmTokenizer(), "tiny"), "{}", teacher);
        corpus = Files.write(
                dir.resolve("corpus.txt"),
                List.of(
                        "the cat sat on the mat",
                        "a small boat crossed the lake at dawn",
                        "prices rose sharply after the announcement",
                        "she planted tomatoes along the fence",
                        "the committee postponed its decision",
                        "rain is expected over the weekend",
                        "he fixed the bicycle with an old spanner",
                        "our train was delayed by twenty minutes"));
    }

    @Test
    void aRunSplitByResumeWritesTheSameFileAsAnUninterruptedOne() throws IOException {
        Path straight = dir.resolve("straight.safetensors");
        assertEquals(0, cli.run(args(straight)), cli.err());
        assertTrue(cli.err().contains("held-out mean cosine"), cli.err());
        assertFalse(Files.exists(dir.resolve("straight.safetensors.ckpt")), "the checkpoint outlived the output");

        Path split = dir.resolve("split.safetensors");
        assertEquals(0, cli.run(concat(args(split), "--until-step", "3")), cli.err());
        assertFalse(Files.exists(split), "a stopped run wrote output");
        assertTrue(Files.exists(dir.resolve("split.safetensors.ckpt")));
        assertEquals(0, cli.run(concat(args(split), "--resume")), cli.err());
        assertTrue(cli.err().contains("resuming"), cli.err());

        assertArrayEquals(Files.readAllBytes(straight), Files.readAllBytes(split), "seed " + seed);
        LoadedModel result = PackedModel.load(straight);
        result.weights()
                .layers()
                .forEach(l -> l.linears()
                        .forEach(linear -> assertTrue(linear.weights() instanceof TwoFourWeights, linear.name())));
        String recipe = result.metadata().get(PackedModel.RECIPE_KEY);
        assertTrue(recipe.contains("\"distill.pattern\":\"2:4\""), recipe);
        assertTrue(recipe.contains("\"distill.steps\":\"6\""), recipe);
        assertTrue(recipe.contains("\"distill.corpus\":\"corpus.txt\""), recipe);
    }

    @Test
    void aW8a8RunSplitInsideItsQuantisationAwareStepsWritesTheSameFileAndReportsBothQuantisations() throws IOException {
        String[] w8a8 = concat(args(dir.resolve("unused")), "--int8", "w8a8", "--qat-fraction", "0.5");
        Path straight = dir.resolve("qat.safetensors");
        assertEquals(0, cli.run(withOut(w8a8, straight)), cli.err());
        assertTrue(cli.err().contains("step 3: post-training w8a8, held-out mean cosine"), cli.err());
        assertTrue(cli.err().contains("end: w8a8 after 3 quantisation-aware steps (written)"), cli.err());

        Path split = dir.resolve("qat-split.safetensors");
        assertEquals(0, cli.run(concat(withOut(w8a8, split), "--until-step", "4")), cli.err());
        assertEquals(0, cli.run(concat(withOut(w8a8, split), "--resume")), cli.err());
        assertTrue(cli.err().contains("resuming"), cli.err());
        assertArrayEquals(Files.readAllBytes(straight), Files.readAllBytes(split), "seed " + seed);

        LoadedModel result = PackedModel.load(straight);
        result.weights()
                .layers()
                .forEach(l -> l.linears()
                        .forEach(linear -> assertTrue(linear.weights() instanceof TwoFourInt8Weights, linear.name())));
        String recipe = result.metadata().get(PackedModel.RECIPE_KEY);
        assertTrue(recipe.contains("\"distill.qat_steps\":\"3\""), recipe);
        assertTrue(recipe.contains("\"quantize.scheme\":\"w8a8\""), recipe);
    }

    @Test
    void unstructuredWithInt8WritesCsrInt8AtTheTargetSparsity() {
        Path out = dir.resolve("csr.safetensors");
        String[] a = args(out);
        a[4] = "unstructured";
        assertEquals(0, cli.run(concat(a, "--sparsity", "0.75", "--int8", "w8")), cli.err());
        LoadedModel result = PackedModel.load(out);
        result.weights()
                .layers()
                .forEach(l -> l.linears()
                        .forEach(linear -> assertTrue(linear.weights() instanceof CsrInt8Weights, linear.name())));
        assertEquals(0.75, ModelInventory.of(result.weights()).linearSparsity(), 0.01, "seed " + seed);
        String recipe = result.metadata().get(PackedModel.RECIPE_KEY);
        assertTrue(recipe.contains("\"quantize.scheme\":\"w8\""), recipe);
        // The default: a fifth of the 6 steps, rounded.
        assertTrue(recipe.contains("\"distill.qat_steps\":\"1\""), recipe);
        assertTrue(recipe.contains("\"distill.sparsity\":\"0.7500\""), recipe);
    }

    @Test
    void minutesSizeTheRunFromTimedStepsAndTheRecipeRecordsTheSteps() {
        Path out = dir.resolve("timed.safetensors");
        String[] a = args(out);
        a[7] = "--minutes";
        a[8] = "0.01";
        assertEquals(0, cli.run(a), cli.err());
        Matcher m = Pattern.compile("s per step: (\\d+) steps").matcher(cli.err());
        assertTrue(m.find(), cli.err());
        String recipe = PackedModel.load(out).metadata().get(PackedModel.RECIPE_KEY);
        assertTrue(recipe.contains("\"distill.steps\":\"" + m.group(1) + "\""), recipe);
    }

    @Test
    void theDefaultStartIsSparseGptPrunedFirstAndStartsElsewhereThanMagnitude() {
        Path out = dir.resolve("from-sparsegpt.safetensors");
        assertEquals(0, cli.run(concat(argsWithDefaultStart(out), "--calibration", corpus.toString())), cli.err());
        String sparseGptStart = startLine(cli.err());
        String recipe = PackedModel.load(out).metadata().get(PackedModel.RECIPE_KEY);
        assertTrue(recipe.contains("\"distill.start\":\"sparsegpt\""), recipe);
        assertEquals(0, cli.run(args(dir.resolve("from-magnitude.safetensors"))), cli.err());
        assertTrue(sparseGptStart.contains("sparsity 50.0%"), sparseGptStart);
        assertNotEquals(startLine(cli.err()), sparseGptStart, "seed " + seed);
    }

    private static String startLine(String err) {
        return err.lines().filter(l -> l.contains(": start: ")).findFirst().orElseThrow(() -> new AssertionError(err));
    }

    @Test
    void refusesPatternsItCannotTrainWithOneLineAndWritesNothing() {
        Path out = dir.resolve("out.safetensors");
        assertEquals(
                2,
                cli.run("distill", "--model", teacher.toString(), "--pattern", "heads", "--out", out.toString()),
                cli.err());
        assertEquals(1, cli.err().strip().lines().count(), cli.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void refusesAQuantisationAwareFractionWithoutInt8() {
        Path out = dir.resolve("out.safetensors");
        assertEquals(2, cli.run(concat(args(out), "--qat-fraction", "0.5")), cli.err());
        assertTrue(cli.err().contains("--qat-fraction applies to --int8 runs only"), cli.err());
        assertFalse(Files.exists(out));
    }

    private static String[] withOut(String[] args, Path out) {
        String[] copy = args.clone();
        copy[Arrays.asList(copy).indexOf("--out") + 1] = out.toString();
        return copy;
    }

    private String[] args(Path out) {
        return new String[] {
            "distill",
            "--model",
            teacher.toString(),
            "--pattern",
            "2:4",
            "--corpus",
            corpus.toString(),
            "--steps",
            "6",
            "--batch",
            "3",
            "--lr",
            "1e-3",
            "--eval-every",
            "0",
            "--threads",
            "2",
            "--start",
            "magnitude",
            "--out",
            out.toString()
        };
    }

    /** {@link #args} without {@code --start}, so the command picks its default. */
    private String[] argsWithDefaultStart(Path out) {
        return Arrays.stream(args(out))
                .filter(a -> !a.equals("--start") && !a.equals("magnitude"))
                .toArray(String[]::new);
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static String minilmTokenizer() throws IOException {
        try (InputStream in = ModelRegistry.class
                .getClassLoader()
                .getResourceAsStream(ModelRegistry.MINILM.tokenizer().resource())) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
