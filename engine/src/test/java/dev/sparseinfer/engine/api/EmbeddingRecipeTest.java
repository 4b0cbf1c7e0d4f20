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
