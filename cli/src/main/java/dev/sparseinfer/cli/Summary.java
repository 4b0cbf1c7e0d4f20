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
import java.util.Map;

/** What {@code prune} and {@code quantize} say when done: size against the input, and agreement with it. */
final class Summary {

    private Summary() {}

    static void print(PrintWriter err, LoadedModel input, LoadedModel result, Path out, int threads) {
        print(err, input, result, out, threads, null);
    }

    /** With {@code texts} null, agreement is reported on each shipped held-out set. */
    static void print(
            PrintWriter err, LoadedModel input, LoadedModel result, Path out, int threads, List<String> texts) {
        Map<String, List<String>> sets = texts == null ? CalibrationSet.heldOutSets() : Map.of("texts", texts);
        ModelInventory before = ModelInventory.of(input.weights());
        ModelInventory after = ModelInventory.of(result.weights());
        err.printf(
                Locale.ROOT,
                "sparseinfer: wrote %s: linear layers %.1f MiB -> %.1f MiB, sparsity %.1f%%%n",
                out,
                linearMiB(before),
                linearMiB(after),
                100 * after.linearSparsity());
        for (Map.Entry<String, List<String>> set : sets.entrySet()) {
            EmbeddingAgreement agreement = QualityCheck.compare(input, result, set.getValue(), threads);
            err.printf(
                    Locale.ROOT,
                    "sparseinfer: against the input model on %d %s texts: mean cosine %.4f (worst %.4f), top-%d neighbour agreement %.3f%n",
                    set.getValue().size(),
                    set.getKey(),
                    agreement.meanCosine(),
                    agreement.minCosine(),
                    agreement.k(),
                    agreement.neighbourAgreement());
        }
        err.flush();
    }

    private static double linearMiB(ModelInventory inventory) {
        return inventory.linearBytes() / (1024.0 * 1024.0);
    }
}
