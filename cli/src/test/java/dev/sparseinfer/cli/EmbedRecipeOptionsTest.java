package dev.sparseinfer.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.Embedding;
import dev.sparseinfer.engine.api.EmbeddingModel;
import dev.sparseinfer.engine.api.EmbeddingRecipe;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.io.packed.PackedModel;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.engine.testing.TinyBert;
import dev.sparseinfer.engine.testing.TinyTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code embed}'s --pooling, --no-normalize, --prompt and --prompt-name over what a model declares. */
class EmbedRecipeOptionsTest {

    private static final ModelOptions CPU =
            ModelOptions.defaults().withBackend(BackendKind.CPU).withThreads(1);
    private static final List<String> TEXTS = List.of("the cat sat on the mat.", "dogs running", "");

    @TempDir
    Path dir;

    private final CommandLineRun cli = new CommandLineRun();

    @Test
    void poolingMeanOverridesTheClsPoolingADirectoryDeclares() throws IOException {
        Path model = clsDirectory();
        List<Embedding> declared = embed(model, CPU);
        List<Embedding> mean = embed(model, CPU.withPooling(Pooling.MEAN));

        assertSame(declared, vectors(run(model)), "no option: the directory's CLS pooling");
        assertSame(mean, vectors(run(model, "--pooling", "mean")), "--pooling mean");
        assertTrue(
                Math.abs(declared.getFirst().vector()[0] - mean.getFirst().vector()[0]) > 1e-6,
                "CLS and mean pooling give different vectors");
        assertSame(embed(model, CPU.withNormalize(false)), vectors(run(model, "--no-normalize")), "--no-normalize");
    }

    @Test
    void aPromptNameOrALiteralPromptIsPutBeforeEveryText() throws IOException {
        Path model = packedWithPrompts();
        List<Embedding> named = vectors(run(model, "--prompt-name", "query"));
        assertSame(vectors(run(model, "--prompt", "the dog ")), named, "--prompt");
        List<String> prompted = TEXTS.stream().map(t -> "the dog " + t).toList();
        try (EmbeddingModel plain = EmbeddingModel.open(model, CPU)) {
            assertSame(plain.embed(prompted), named, "the texts with the prompt written in front");
        }
    }

    @Test
    void badRecipeOptionsAreUsageErrors() throws IOException {
        Path model = packedWithPrompts();
        String input = Files.writeString(dir.resolve("in.txt"), "text\n").toString();
        assertEquals(
                2,
                cli.run("embed", "--model", model.toString(), "--input", input, "--prompt-name", "document"),
                cli.err());
        assertTrue(
                cli.err().contains("'document'") && cli.err().contains("query, passage"),
                "names the model's prompts: " + cli.err());
        assertEquals(1, cli.err().lines().count(), cli.err());
        assertEquals(
                2, cli.run("embed", "--model", model.toString(), "--input", input, "--pooling", "first"), cli.err());
        assertTrue(cli.err().contains("mean"), cli.err());
        assertEquals(
                2,
                cli.run(
                        "embed",
                        "--model",
                        model.toString(),
                        "--input",
                        input,
                        "--prompt",
                        "q: ",
                        "--prompt-name",
                        "query"),
                cli.err());
    }

    @Test
    void inspectPrintsTheRecipe() throws IOException {
        assertEquals(0, cli.run("inspect", "--model", packedWithPrompts().toString()), cli.err());
        assertTrue(
                cli.out().contains("recipe cls pooling, normalized, prompts: query, passage (default: none)"),
                cli.out());
        assertTrue(cli.out().contains("prompt query: \"the dog \""), cli.out());
    }

    private Path clsDirectory() throws IOException {
        Path hf = dir.resolve("hf");
        TinyBert.write(hf, Seeds.fresh());
        Files.writeString(hf.resolve("tokenizer.json"), TinyTokenizer.json());
        Files.writeString(hf.resolve("modules.json"), """
                [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                 {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                 {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]
                """);
        Files.createDirectories(hf.resolve("1_Pooling"));
        Files.writeString(
                hf.resolve("1_Pooling/config.json"),
                "{\"word_embedding_dimension\": 12, \"pooling_mode_cls_token\": true}");
        return hf;
    }

    private Path packedWithPrompts() {
        Map<String, String> prompts = new LinkedHashMap<>();
        prompts.put("query", "the dog ");
        prompts.put("passage", "a cat ");
        Path file = dir.resolve("prompts.safetensors");
        PackedModel.write(
                new LoadedModel(
                        RandomBert.weights(TinyBert.CONFIG, new Random(Seeds.fresh())),
                        TinyTokenizer.json(),
                        "random",
                        Map.of(),
                        new EmbeddingRecipe(Pooling.CLS, true, prompts, null)),
                "{}",
                file);
        return file;
    }

    private String run(Path model, String... options) throws IOException {
        Path input = dir.resolve("in.txt");
        Files.writeString(input, String.join("\n", TEXTS) + "\n");
        Path output = dir.resolve("out.jsonl");
        List<String> args = new ArrayList<>(List.of(
                "embed",
                "--model",
                model.toString(),
                "--backend",
                "cpu",
                "--threads",
                "1",
                "--input",
                input.toString(),
                "--output",
                output.toString()));
        args.addAll(List.of(options));
        assertEquals(0, cli.run(args.toArray(String[]::new)), cli.err());
        return Files.readString(output);
    }

    private static void assertSame(List<Embedding> expected, List<Embedding> actual, String what) {
        assertEquals(expected.size(), actual.size(), what);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).tokens(), actual.get(i).tokens(), what + ", text " + i);
            assertArrayEquals(expected.get(i).vector(), actual.get(i).vector(), what + ", text " + i);
        }
    }

    private static List<Embedding> embed(Path model, ModelOptions options) {
        try (EmbeddingModel m = EmbeddingModel.open(model, options)) {
            return m.embed(TEXTS);
        }
    }

    private static List<Embedding> vectors(String jsonLines) {
        List<Embedding> out = new ArrayList<>();
        for (String line : jsonLines.lines().toList()) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            JsonArray values = o.getAsJsonArray("embedding");
            float[] v = new float[values.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = values.get(i).getAsFloat();
            }
            out.add(new Embedding(v, o.get("tokens").getAsInt()));
        }
        return out;
    }
}
