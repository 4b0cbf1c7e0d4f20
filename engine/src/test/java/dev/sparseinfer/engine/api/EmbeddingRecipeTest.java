package dev.sparseinfer.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EmbeddingRecipeTest {

    private static final ModelOptions DEFAULTS = ModelOptions.defaults();

    @Test
    void optionsReplaceOnlyWhatTheySet() {
        Map<String, String> prompts = new LinkedHashMap<>();
        prompts.put("query", "query: ");
        prompts.put("passage", "passage: ");
        EmbeddingRecipe declared = new EmbeddingRecipe(Pooling.CLS, true, prompts, "query");

        assertEquals(declared, declared.with(DEFAULTS));
        assertEquals(
                new EmbeddingRecipe(Pooling.MEAN, false, prompts, "query"),
                declared.with(DEFAULTS.withPooling(Pooling.MEAN).withNormalize(false)));
        assertEquals(
                "passage", declared.with(DEFAULTS.withPromptName("passage")).defaultPromptName());
        assertEquals(
                Optional.empty(),
                declared.with(DEFAULTS.withPrompt("custom: ")).defaultPrompt(),
                "a literal prompt replaces the default one");
        assertEquals(
                Pooling.CLS,
                declared.with(DEFAULTS.withPooling(Pooling.MAX).withPooling(null))
                        .pooling());
    }

    @Test
    void anUnknownPromptNameIsAnInvalidArgumentListingTheModelsNames() {
        EmbeddingRecipe declared = new EmbeddingRecipe(Pooling.MEAN, true, Map.of("query", "q: "), null);
        SparseInferException e =
                assertThrows(SparseInferException.class, () -> declared.with(DEFAULTS.withPromptName("passage")));
        assertEquals(SparseInferException.Code.INVALID_ARGUMENT, e.code());
        assertEquals("no prompt named 'passage': the model's are query", e.getMessage());
        SparseInferException none = assertThrows(
                SparseInferException.class,
                () -> EmbeddingRecipe.MEAN_NORMALIZED.with(DEFAULTS.withPromptName("query")));
        assertEquals("no prompt named 'query': the model has no named prompts", none.getMessage());
    }

    @Test
    void aPromptAndAPromptNameAreNotBothGiven() {
        assertThrows(
                SparseInferException.class,
                () -> new ModelOptions(BackendKind.CPU, 1, 1, null, null, "q: ", "query", true, Precision.FP32));
        assertEquals(null, DEFAULTS.withPrompt("q: ").withPromptName("query").prompt(), "the last one given wins");
    }

    @Test
    void keepsPromptsInTheGivenOrderAndIndependentOfTheCallersMap() {
        Map<String, String> prompts = new LinkedHashMap<>();
        prompts.put("query", "query: ");
        prompts.put("passage", "passage: ");
        prompts.put("document", "passage: ");

        EmbeddingRecipe recipe = new EmbeddingRecipe(Pooling.MEAN, true, prompts, null);
        prompts.clear();

        assertEquals(
                List.of("query", "passage", "document"),
                List.copyOf(recipe.prompts().keySet()));
        assertEquals(Optional.of("query: "), recipe.prompt("query"));
        assertEquals(Optional.empty(), recipe.defaultPrompt());
    }

    @Test
    void theDefaultPromptIsLookedUpByName() {
        EmbeddingRecipe recipe = new EmbeddingRecipe(Pooling.CLS, true, Map.of("query", "Represent: "), "query");

        assertEquals(Optional.of("Represent: "), recipe.defaultPrompt());
    }

    @Test
    void aDefaultThatNamesNoPromptIsRefused() {
        SparseInferException e = assertThrows(
                SparseInferException.class,
                () -> new EmbeddingRecipe(Pooling.CLS, true, Map.of("query", "q: "), "passage"));

        assertEquals(SparseInferException.Code.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("'passage'"), e.getMessage());
    }
}
