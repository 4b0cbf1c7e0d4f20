package dev.sparseinfer.cli;

import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.io.ModelLoader;
import dev.sparseinfer.engine.io.packed.TableFormat;
import dev.sparseinfer.models.calibration.CalibrationSet;
import dev.sparseinfer.models.packed.Derivation;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "quantize",
        mixinStandardHelpOptions = true,
        header = "Quantises every linear layer to int8 (symmetric, per output channel) and writes a packed model.",
        description = {
            "Keeps the input's sparsity: dense -> int8, CSR -> CSR int8, 2:4 -> 2:4 int8. w8a8 also "
                    + "quantises activations per token at run time, so no calibration is needed; --calibration only "
                    + "chooses the texts the printed agreement with the input model is measured on (default: the "
                    + "shipped held-out texts).",
            "--tables int8 also stores the embedding tables as int8 (one scale per row), a quarter of their fp32 size."
        })
final class QuantizeCommand implements Callable<Integer> {

    @Mixin
    ModelOption model;

    @Mixin
    OutputFileOption output;

    @Mixin
    ThreadsOption threads;

    @Mixin
    VerboseOption verbose;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--scheme",
            required = true,
            paramLabel = "w8a8|w8",
            description = "w8a8: int8 weights and activations; w8: int8 weights, fp32 activations.")
    String scheme;

    @Option(
            names = "--tables",
            paramLabel = "fp32|int8",
            defaultValue = "fp32",
            description =
                    "How the embedding tables are stored (default: ${DEFAULT-VALUE}); int8 writes packed format version 2, which older readers refuse.")
    String tables;

    @Option(names = "--calibration", paramLabel = "FILE", description = "Texts for the agreement report, one per line.")
    Path calibration;

    @Override
    public Integer call() {
        Int8Scheme s = Int8Scheme.parse(scheme);
        TableFormat t = TableFormat.parse(tables);
        Path out = output.checked();
        List<String> texts = calibration == null ? null : CalibrationSet.readTexts(calibration);
        LoadedModel input = ModelLoader.load(model.resolve());
        LoadedModel result = Derivation.quantize(input, s, t).write(out);
        Summary.print(spec.commandLine().getErr(), input, result, out, threads.value(), texts);
        return 0;
    }
}
