package dev.sparseinfer.cli;

import dev.sparseinfer.engine.api.EmbeddingRecipe;
import dev.sparseinfer.engine.format.SparsityDetector;
import dev.sparseinfer.engine.io.MappedModel;
import dev.sparseinfer.engine.io.ModelLoader;
import dev.sparseinfer.engine.io.packed.PackedModel;
import dev.sparseinfer.engine.io.packed.TableFormat;
import dev.sparseinfer.engine.io.packed.TensorDigests;
import dev.sparseinfer.engine.io.safetensors.SafetensorsFile;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.models.ModelInventory;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        header = "Prints every weight matrix of a model (name, shape, format, sparsity, bytes) and the totals.",
        description = "With --verify, first checks every tensor of a packed file against the SHA-256 recorded in it.")
final class InspectCommand implements Callable<Integer> {

    @Mixin
    ModelOption model;

    @Mixin
    VerboseOption verbose;

    @Mixin
    FormatsOption formats;

    @Spec
    CommandSpec spec;

    @Option(names = "--verify", description = "Check every tensor against its recorded SHA-256 (packed files).")
    boolean verify;

    @Override
    public Integer call() {
        Path path = model.resolve();
        PrintWriter out = spec.commandLine().getOut();
        if (verify) {
            out.println(verify(path));
            out.println();
        }
        // Read from the mapping a layer at a time: the whole model never sits on the heap just to be counted.
        try (MappedModel mapped = ModelLoader.open(path, formats.detect())) {
            ModelInventory inventory = ModelInventory.of(mapped.weights(), tableFormat(mapped));
            print(mapped.source(), mapped.weights().config(), mapped.recipe(), inventory, out);
            if (!mapped.metadata().containsKey(PackedModel.FORMAT_KEY)) {
                out.printf(Locale.ROOT, "%n%s%n", detectedFormats(inventory, formats.detect()));
            }
            mapped.notice().ifPresent(notice -> out.printf(Locale.ROOT, "%nnote  %s%n", notice));
        }
        return 0;
    }

    /** What loading chose for a source stored dense, in one line. */
    static String detectedFormats(ModelInventory inventory, boolean detect) {
        if (!detect) {
            return "formats  kept as stored (--formats dense)";
        }
        long twoFour = inventory.rows().stream()
                .filter(r -> r.format().equals("2:4 fp32"))
                .count();
        long csr = inventory.rows().stream()
                .filter(r -> r.format().equals("csr fp32"))
                .count();
        return String.format(
                Locale.ROOT,
                "formats  detected at load: %d layers 2:4, %d CSR (at least %.0f%% zeros); --formats dense keeps them dense",
                twoFour,
                csr,
                100 * SparsityDetector.CSR_MIN_ZEROS);
    }

    /** How the model's source stores its embedding tables: only a packed file can say int8. */
    static TableFormat tableFormat(MappedModel mapped) {
        String label = mapped.metadata().get(PackedModel.TABLES_KEY);
        return label == null ? TableFormat.FP32 : TableFormat.parseModel(label, mapped.source());
    }

    /** One line saying what was checked; every mismatched tensor is counted in the error, the first named. */
    static String verify(Path path) {
        if (Files.isDirectory(path) || !path.getFileName().toString().endsWith(".safetensors")) {
            return "verify  not a packed file: no SHA-256 recorded, nothing checked";
        }
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            TensorDigests.Report report = TensorDigests.check(file);
            if (!report.recorded()) {
                return "verify  no SHA-256 recorded (written before packed files kept them), nothing checked";
            }
            report.requireIntact(file);
            return String.format(Locale.ROOT, "verify  %d tensors match their recorded SHA-256", report.checked());
        }
    }

    static void print(String source, BertConfig c, EmbeddingRecipe recipe, ModelInventory inventory, PrintWriter out) {
        out.printf(Locale.ROOT, "model  %s%n", source);
        out.printf(Locale.ROOT, "recipe %s%n", recipe.describe());
        recipe.prompts().forEach((name, text) -> out.printf(Locale.ROOT, "prompt %s: \"%s\"%n", name, text));
        out.printf(
                Locale.ROOT,
                "config %s: %d layers, hidden %d, %d heads, FFN %d, vocab %d, max positions %d, LayerNorm eps %g%n%n",
                c.architecture().modelType(),
                c.layers(),
                c.hiddenSize(),
                c.heads(),
                c.intermediateSize(),
                c.vocabSize(),
                c.maxPositions(),
                c.layerNormEps());
        int nameWidth =
                inventory.rows().stream().mapToInt(r -> r.name().length()).max().orElse(4);
        String row = "%-" + nameWidth + "s  %-12s  %-12s  %8s  %12s%n";
        out.printf(Locale.ROOT, row, "name", "shape", "format", "sparsity", "bytes");
        for (ModelInventory.Row r : inventory.rows()) {
            out.printf(
                    Locale.ROOT,
                    row,
                    r.name(),
                    r.rows() + "x" + r.cols(),
                    r.format(),
                    String.format(Locale.ROOT, "%.1f%%", 100 * r.sparsity()),
                    String.format(Locale.ROOT, "%,d", r.bytes()));
        }
        out.printf(
                Locale.ROOT, "%n%-" + nameWidth + "s  %,d%n", "biases and LayerNorms (bytes)", inventory.otherBytes());
        out.printf(Locale.ROOT, "%-" + nameWidth + "s  %,d%n", "total parameters", inventory.totalParameters());
        out.printf(
                Locale.ROOT,
                "%-" + nameWidth + "s  %,d (%.1f MiB)%n",
                "total bytes",
                inventory.totalBytes(),
                inventory.totalBytes() / (1024.0 * 1024.0));
        out.printf(
                Locale.ROOT,
                "%-" + nameWidth + "s  %.1f%%%n",
                "linear-layer sparsity",
                100 * inventory.linearSparsity());
    }
}
