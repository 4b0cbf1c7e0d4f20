package dev.sparseinfer.engine.io.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.EmbeddingRecipe;
import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.api.SparseInferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SentenceTransformersConfigTest {

    /** modules.json as sentence-transformers writes it for all-MiniLM-L6-v2 and the BGE and E5 models. */
    private static final String TRANSFORMER_POOLING_NORMALIZE = """
            [
              {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
              {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
              {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}
            ]
            """;

    @TempDir
    Path dir;

    @Test
    void theFilesWrittenForARecipeReadBackAsIt() throws IOException {
        Map<String, String> prompts = new LinkedHashMap<>();
        prompts.put("query", "query: ");
        prompts.put("passage", "passage: ");
        for (Pooling pooling : Pooling.values()) {
            for (EmbeddingRecipe recipe : List.of(
                    new EmbeddingRecipe(pooling, true, prompts, null),
                    new EmbeddingRecipe(pooling, false, prompts, "passage"),
                    new EmbeddingRecipe(pooling, true, prompts, "query", false),
                    EmbeddingRecipe.of(pooling, true))) {
                Path model = Files.createTempDirectory(dir, "model");
                for (Map.Entry<String, String> file :
                        SentenceTransformersConfig.files(recipe, 384).entrySet()) {
                    Files.createDirectories(model.resolve(file.getKey()).getParent());
                    Files.writeString(model.resolve(file.getKey()), file.getValue());
                }
                assertEquals(Optional.of(recipe), SentenceTransformersConfig.read(model));
            }
        }
    }

    @Test
    void aPlainHuggingFaceDirectoryHasNoRecipe() {
        assertEquals(Optional.empty(), SentenceTransformersConfig.read(dir));
    }

    @Test
    void readsMeanPoolingAndNormalizeAsMiniLmDeclaresThem() throws IOException {
        write("modules.json", TRANSFORMER_POOLING_NORMALIZE);
        write("1_Pooling/config.json", pooling("mean_tokens"));

        EmbeddingRecipe recipe = SentenceTransformersConfig.read(dir).orElseThrow();

        assertEquals(EmbeddingRecipe.of(Pooling.MEAN, true), recipe);
    }

    @Test
    void includePromptFalseLeavesThePromptOutOfPoolingAndItsAbsenceKeepsItIn() throws IOException {
        write("modules.json", TRANSFORMER_POOLING_NORMALIZE);
        write("1_Pooling/config.json", pooling("mean_tokens"));
        assertTrue(SentenceTransformersConfig.read(dir).orElseThrow().includePrompt());

        write("1_Pooling/config.json", pooling("mean_tokens").replace("{", "{\"include_prompt\": false, "));
        assertFalse(SentenceTransformersConfig.read(dir).orElseThrow().includePrompt());

        write("1_Pooling/config.json", pooling("mean_tokens").replace("{", "{\"include_prompt\": \"no\", "));
        SparseInferException e = assertThrows(SparseInferException.class, () -> SentenceTransformersConfig.read(dir));
        assertTrue(e.getMessage().endsWith("\"include_prompt\" is not true or false"), e.getMessage());
    }

    @Test
    void eachPoolingFlagGivesItsPooling() throws IOException {
        write("modules.json", TRANSFORMER_POOLING_NORMALIZE);
        Map<String, Pooling> flags = Map.of(
                "cls_token",
                Pooling.CLS,
                "mean_tokens",
                Pooling.MEAN,
                "max_tokens",
                Pooling.MAX,
                "lasttoken",
                Pooling.LAST_TOKEN);
        for (Map.Entry<String, Pooling> e : flags.entrySet()) {
            write("1_Pooling/config.json", pooling(e.getKey()));
            assertEquals(
                    e.getValue(),
                    SentenceTransformersConfig.read(dir).orElseThrow().pooling(),
                    e.getKey());
        }
    }

    @Test
    void withoutANormalizeModuleEmbeddingsAreNotNormalized() throws IOException {
        write("modules.json", """
                [{"path": "", "type": "sentence_transformers.models.Transformer"},
                 {"path": "pool", "type": "sentence_transformers.models.Pooling"}]
                """);
        write("pool/config.json", pooling("cls_token"));

        EmbeddingRecipe recipe = SentenceTransformersConfig.read(dir).orElseThrow();

        assertEquals(Pooling.CLS, recipe.pooling());
        assertFalse(recipe.normalize());
    }

    @Test
    void readsNamedPromptsAndTheDefaultInTheirOrder() throws IOException {
        write("modules.json", TRANSFORMER_POOLING_NORMALIZE);
        write("1_Pooling/config.json", pooling("mean_tokens"));
        write("config_sentence_transformers.json", """
                {"__version__": {"sentence_transformers": "3.0.1"},
                 "prompts": {"query": "query: ", "passage": "passage: "},
                 "default_prompt_name": "query", "similarity_fn_name": "cosine"}
                """);

        EmbeddingRecipe recipe = SentenceTransformersConfig.read(dir).orElseThrow();

        assertEquals(List.of("query", "passage"), List.copyOf(recipe.prompts().keySet()));
        assertEquals(Optional.of("passage: "), recipe.prompt("passage"));
        assertEquals(Optional.of("query: "), recipe.defaultPrompt());
    }

    @Test
    void emptyPromptsAndANullDefaultMeanNoPrompt() throws IOException {
        write("modules.json", TRANSFORMER_POOLING_NORMALIZE);
        write("1_Pooling/config.json", pooling("cls_token"));
        write("config_sentence_transformers.json", "{\"prompts\": {}, \"default_prompt_name\": null}");

        EmbeddingRecipe recipe = SentenceTransformersConfig.read(dir).orElseThrow();

        assertTrue(recipe.prompts().isEmpty());
        assertEquals(Optional.empty(), recipe.defaultPrompt());
    }

    @Test
    void malformedFilesAreRefusedInOneLineNamingTheFile() throws IOException {
        String goodPooling = pooling("mean_tokens");
        assertRefused("modules.json", "not valid JSON", "[{\"type\": ", goodPooling, null);
        assertRefused("modules.json", "JSON array", "{\"type\": \"x\"}", goodPooling, null);
        assertRefused("modules.json", "\"type\"", "[{\"path\": \"1_Pooling\"}]", goodPooling, null);
        assertRefused("modules.json", "Dense is not supported", """
                [{"path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                 {"path": "2_Dense", "type": "sentence_transformers.models.Dense"}]""", goodPooling, null);
        assertRefused(
                "modules.json",
                "no Pooling module",
                "[{\"path\": \"\", \"type\": \"sentence_transformers.models.Transformer\"}]",
                goodPooling,
                null);
        assertRefused(
                "modules.json",
                "outside the model directory",
                "[{\"path\": \"../elsewhere\", \"type\": \"sentence_transformers.models.Pooling\"}]",
                goodPooling,
                null);
        assertRefused(
                "config.json",
                "found none",
                TRANSFORMER_POOLING_NORMALIZE,
                "{\"word_embedding_dimension\": 384}",
                null);
        assertRefused(
                "config.json",
                "pooling_mode_cls_token and pooling_mode_mean_tokens",
                TRANSFORMER_POOLING_NORMALIZE,
                "{\"pooling_mode_cls_token\": true, \"pooling_mode_mean_tokens\": true}",
                null);
        assertRefused(
                "config.json",
                "pooling_mode_weightedmean_tokens is not supported",
                TRANSFORMER_POOLING_NORMALIZE,
                "{\"pooling_mode_weightedmean_tokens\": true}",
                null);
        assertRefused(
                "config.json",
                "not true or false",
                TRANSFORMER_POOLING_NORMALIZE,
                "{\"pooling_mode_mean_tokens\": \"yes\"}",
                null);
        assertRefused(
                "config_sentence_transformers.json",
                "'passage' is not a string",
                TRANSFORMER_POOLING_NORMALIZE,
                goodPooling,
                "{\"prompts\": {\"query\": \"query: \", \"passage\": 3}}");
        assertRefused(
                "config_sentence_transformers.json",
                "default_prompt_name 'document' is not one of the prompts",
                TRANSFORMER_POOLING_NORMALIZE,
                goodPooling,
                "{\"prompts\": {\"query\": \"query: \"}, \"default_prompt_name\": \"document\"}");
        assertRefused(
                "config_sentence_transformers.json",
                "not valid JSON",
                TRANSFORMER_POOLING_NORMALIZE,
                goodPooling,
                "{\"prompts\": ");
    }

    @Test
    void aMissingPoolingConfigIsNamed() throws IOException {
        write("modules.json", TRANSFORMER_POOLING_NORMALIZE);

        SparseInferException e = assertThrows(SparseInferException.class, () -> SentenceTransformersConfig.read(dir));

        assertTrue(e.getMessage().contains("missing ") && e.getMessage().contains("1_Pooling"), e.getMessage());
    }

    /** Writes the three files (a null one is left out) and checks the error names {@code file} and says {@code what}. */
    private void assertRefused(String file, String what, String modules, String poolingConfig, String settings)
            throws IOException {
        write("modules.json", modules);
        write("1_Pooling/config.json", poolingConfig);
        Files.deleteIfExists(dir.resolve("config_sentence_transformers.json"));
        if (settings != null) {
            write("config_sentence_transformers.json", settings);
        }
        SparseInferException e =
                assertThrows(SparseInferException.class, () -> SentenceTransformersConfig.read(dir), what);
        assertEquals(SparseInferException.Code.INVALID_MODEL, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(file) && e.getMessage().contains(what), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    /** A Pooling config.json with every flag sentence-transformers writes, only {@code pooling_mode_<mode>} true. */
    private static String pooling(String mode) {
        StringBuilder json = new StringBuilder("{\"word_embedding_dimension\": 384");
        for (String flag : List.of(
                "cls_token", "mean_tokens", "max_tokens", "mean_sqrt_len_tokens", "weightedmean_tokens", "lasttoken")) {
            json.append(", \"pooling_mode_").append(flag).append("\": ").append(flag.equals(mode));
        }
        return json.append("}").toString();
    }

    private void write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
