package dev.sparseinfer.cli;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.io.ModelLoader;
import dev.sparseinfer.models.packed.Derivation;
import dev.sparseinfer.models.prune.PruneMethod;
import dev.sparseinfer.models.prune.PrunePattern;
import dev.sparseinfer.models.prune.PruneSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "prune",
        mixinStandardHelpOptions = true,
        header = "Prunes a model one-shot and writes a packed model.",
        description = "unstructured and 2:4 zero single weights (stored as CSR or 2:4); heads, ffn and layers remove "
                + "whole structures, so the matrices really shrink. Prints the result's agreement with the input "
                + "model on the shipped held-out texts.")
final class PruneCommand implements Callable<Integer> {

    @Mixin
    ModelOption model;

    @Mixin
    OutputFileOption output;

    @Mixin
    CalibrationOption calibration;

    @Mixin
    ThreadsOption threads;

    @Mixin
    VerboseOption verbose;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--pattern",
            required = true,
            paramLabel = "unstructured|2:4|heads|ffn|layers",
            description = "What to remove.")
    String pattern;

    @Option(
            names = "--sparsity",
            paramLabel = "F",
            description =
                    "Fraction to remove, in (0, 1): of each layer's weights, heads or FFN channels, or of the layers (default 0.5; 2:4 is always 0.5).")
    Double sparsity;

    @Option(
            names = "--method",
            paramLabel = "magnitude|wanda|sparsegpt",
            description = "How unstructured and 2:4 pruning score weights (default sparsegpt).")
    String method;

    @Override
    public Integer call() {
        PrunePattern p = PrunePattern.parse(pattern);
        if (method != null && !p.isWeightLevel()) {
            throw SparseInferException.invalidArgument("--method applies to unstructured and 2:4 pruning only");
        }
        PruneSpec pruneSpec =
                PruneSpec.of(p, sparsity, method == null ? PruneMethod.SPARSEGPT : PruneMethod.parse(method));
        Path out = output.checked();
        List<String> calibrationTexts = calibration.texts();
        LoadedModel input = ModelLoader.load(model.resolve());
        Derivation pruned;
        try (ProgressBar progress = ProgressBar.onTerminal(spec.commandLine().getErr())) {
            pruned = Derivation.prune(input, pruneSpec, calibrationTexts, threads.value(), progress);
        }
        LoadedModel result = pruned.write(out);
        Summary.print(spec.commandLine().getErr(), input, result, out, threads.value());
        return 0;
    }
}
