package dev.sparseinfer.cli;

import dev.sparseinfer.engine.api.EmbeddingRecipe;
import dev.sparseinfer.models.BuiltinModel;
import dev.sparseinfer.models.ModelRegistry;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
        name = "models",
        mixinStandardHelpOptions = true,
        header =
                "Lists the built-in models: name and aliases, dimensions, token limit, pooling, prompts, size, and whether each is cached.",
        description =
                "Any name or alias works with --model. A model not yet on this machine is fetched with Maven (mvn) on first use.")
final class ModelsCommand implements Callable<Integer> {

    private static final List<String> HEADER =
            List.of("name", "aliases", "dims", "tokens", "pooling", "prompts", "weights", "size", "status");

    @Mixin
    VerboseOption verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ModelRegistry registry = ModelRegistry.standard();
        List<List<String>> rows = new ArrayList<>();
        rows.add(HEADER);
        for (BuiltinModel m : ModelRegistry.builtins()) {
            rows.add(row(m, registry.availability(m)));
        }
        PrintWriter out = spec.commandLine().getOut();
        print(rows, out);
        out.println();
        out.println(
                "weights int8 (ORT): ONNX Runtime's int8 export; SparseInfer runs its int8 weights as they are, quantising"
                        + " activations per token (ONNX Runtime: per tensor), so results differ slightly from ONNX Runtime's.");
        out.println("cache: " + registry.cacheRoot().resolve("models"));
        return 0;
    }

    private static List<String> row(BuiltinModel m, ModelRegistry.Availability availability) {
        EmbeddingRecipe recipe = m.recipe();
        String status = availability == ModelRegistry.Availability.NOT_DOWNLOADED
                ? String.format(
                        Locale.ROOT,
                        "not downloaded (%s jar)",
                        megabytes(m.artifact().jarBytes()))
                : availability.label();
        return List.of(
                m.name(),
                m.aliases().isEmpty() ? "-" : String.join(", ", m.aliases()),
                Integer.toString(m.dimension()),
                Integer.toString(m.maxTokens()),
                recipe.pooling().label() + (recipe.normalize() ? ", normalized" : ""),
                recipe.prompts().isEmpty()
                        ? "-"
                        : String.join(", ", recipe.prompts().keySet()),
                m.onnxRuntimeInt8() ? "int8 (ORT)" : "fp32",
                megabytes(m.onnx().bytes()),
                status);
    }

    /** Left-aligned columns, two spaces apart; the last is not padded. */
    private static void print(List<List<String>> rows, PrintWriter out) {
        int[] widths = new int[HEADER.size()];
        for (List<String> row : rows) {
            for (int c = 0; c < row.size(); c++) {
                widths[c] = Math.max(widths[c], row.get(c).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.size(); c++) {
                line.append(
                        c == row.size() - 1
                                ? row.get(c)
                                : String.format(Locale.ROOT, "%-" + widths[c] + "s  ", row.get(c)));
            }
            out.println(line);
        }
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.0f MB", bytes / 1e6);
    }
}
