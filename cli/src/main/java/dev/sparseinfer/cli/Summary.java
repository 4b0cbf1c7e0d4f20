package dev.sparseinfer.cli;

import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.models.ModelInventory;
import dev.sparseinfer.models.calibration.CalibrationSet;
import dev.sparseinfer.models.evaluate.EmbeddingAgreement;
import dev.sparseinfer.models.evaluate.QualityCheck;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** What {@code prune} and {@code quantize} say when done: size against the input, and agreement with it. */
final class Summary {

    private Summary() {}

    static void print(PrintWriter err, LoadedModel input, LoadedModel result, Path out, int threads) {
        print(err, input, result, out, threads, null);
    }

    static void print(
            PrintWriter err, LoadedModel input, LoadedModel result, Path out, int threads, List<String> texts) {
        List<String> evaluation = texts == null ? CalibrationSet.heldOutTexts() : texts;
        ModelInventory before = ModelInventory.of(input.weights());
        ModelInventory after = ModelInventory.of(result.weights());
        EmbeddingAgreement agreement = QualityCheck.compare(input, result, evaluation, threads);
        err.printf(
                Locale.ROOT,
                "sparseinfer: wrote %s: linear layers %.1f MiB -> %.1f MiB, sparsity %.1f%%%n",
                out,
                linearMiB(before),
                linearMiB(after),
                100 * after.linearSparsity());
        err.printf(
                Locale.ROOT,
                "sparseinfer: against the input model on %d texts: mean cosine %.4f (worst %.4f), top-%d neighbour agreement %.3f%n",
                evaluation.size(),
                agreement.meanCosine(),
                agreement.minCosine(),
                agreement.k(),
                agreement.neighbourAgreement());
        err.flush();
    }

    private static double linearMiB(ModelInventory inventory) {
        return inventory.linearBytes() / (1024.0 * 1024.0);
    }
}
