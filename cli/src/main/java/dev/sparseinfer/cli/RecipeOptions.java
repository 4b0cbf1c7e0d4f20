package dev.sparseinfer.cli;

import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.api.SparseInferException;
import picocli.CommandLine.Option;

/** {@code --pooling}, {@code --no-normalize}, {@code --prompt} and {@code --prompt-name}: the model's recipe, overridden. */
final class RecipeOptions {

    @Option(
            names = "--pooling",
            paramLabel = "mean|cls|max|last",
            description = "Pool token states this way instead of as the model declares.")
    String pooling;

    @Option(names = "--no-normalize", description = "Leave embeddings at their pooled length (no L2 normalisation).")
    boolean noNormalize;

    @Option(
            names = "--prompt",
            paramLabel = "TEXT",
            description = "Put TEXT before every text, e.g. \"query: \" (\"\" for none, even where the model has a"
                    + " default prompt).")
    String prompt;

    @Option(
            names = "--prompt-name",
            paramLabel = "NAME",
            description = "Put the model's prompt called NAME before every text (e.g. query for BGE and E5).")
    String promptName;

    ModelOptions apply(ModelOptions options) {
        if (prompt != null && promptName != null) {
            throw SparseInferException.invalidArgument("give --prompt or --prompt-name, not both");
        }
        ModelOptions out = options.withPooling(pooling == null ? null : Pooling.parse(pooling))
                .withNormalize(noNormalize ? Boolean.FALSE : null);
        if (prompt != null) {
            out = out.withPrompt(prompt);
        }
        if (promptName != null) {
            out = out.withPromptName(promptName);
        }
        return out;
    }
}
