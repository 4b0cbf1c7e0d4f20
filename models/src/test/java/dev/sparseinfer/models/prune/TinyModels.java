package dev.sparseinfer.models.prune;

import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.backend.TokenBatch;
import dev.sparseinfer.engine.backend.cpu.CpuBackend;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.model.bert.BertEncoder;
import dev.sparseinfer.engine.model.bert.BertWeights;
import dev.sparseinfer.models.calibration.CalibrationSet;
import java.util.Collections;
import java.util.Random;

/** Small random models and calibration batches for pruning tests. */
final class TinyModels {

    /** Widths in groups of 4 (2:4 needs it) that are no multiple of a vector length; 4 heads of 4. */
    static final BertConfig CONFIG = new BertConfig(41, 16, 3, 4, 28, 14, 2, 1e-12, BertConfig.GELU);

    private TinyModels() {}

    /** A calibration set of random token sequences (the texts themselves are never read by the pruners). */
    static CalibrationSet calibration(Random random, int sequences) {
        int[][] ids = new int[sequences][];
        int[][] types = new int[sequences][];
        for (int s = 0; s < sequences; s++) {
            ids[s] = random.ints(3 + random.nextInt(CONFIG.maxPositions() - 3), 0, CONFIG.vocabSize())
                    .toArray();
            types[s] = new int[ids[s].length];
        }
        return new CalibrationSet(Collections.nCopies(sequences, "text"), TokenBatch.pack(ids, types));
    }

    static float[][] embed(BertWeights model, TokenBatch batch) {
        try (CpuBackend cpu = new CpuBackend(1)) {
            return new BertEncoder(model, cpu).forward(batch, Pooling.MEAN, true);
        }
    }
}
