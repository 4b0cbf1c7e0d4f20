package dev.sparseinfer.models;

import dev.sparseinfer.engine.format.FloatTable;
import dev.sparseinfer.engine.format.Int8Table;
import dev.sparseinfer.engine.format.LayerNormWeights;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.format.LinearWeights;
import dev.sparseinfer.engine.io.packed.TableFormat;
import dev.sparseinfer.engine.model.bert.BertLayer;
import dev.sparseinfer.engine.model.bert.BertLayerSource;
import java.util.ArrayList;
import java.util.List;

/** What {@code inspect} reports: one row per weight matrix (embedding tables and linear layers), plus totals. */
public final class ModelInventory {

    /**
     * One weight matrix.
     *
     * @param sparsity fraction of its {@code rows x cols} entries that are zero (stored or pruned away)
     * @param bytes    bytes its weights take in their format, biases excluded
     */
    public record Row(String name, int rows, int cols, String format, double sparsity, long bytes) {}

    private final List<Row> rows;
    private final long otherBytes;

    private ModelInventory(List<Row> rows, long otherBytes) {
        this.rows = List.copyOf(rows);
        this.otherBytes = otherBytes;
    }

    /** A model whose embedding tables are fp32, as every source but an int8-table packed file gives them. */
    public static ModelInventory of(BertLayerSource weights) {
        return of(weights, TableFormat.FP32);
    }

    /**
     * {@code tables} is how the file stores the tables: a model holds them as fp32 (or widens them to fp32 as it
     * reads them) whatever it is. Layers are asked for one at a time and dropped once counted, so a mapped model is
     * inventoried with one layer on the heap.
     */
    public static ModelInventory of(BertLayerSource weights, TableFormat tables) {
        List<Row> rows = new ArrayList<>();
        var e = weights.embeddings();
        rows.add(tableRow("embeddings.word_embeddings", e.word(), tables));
        rows.add(tableRow("embeddings.position_embeddings", e.position(), tables));
        rows.add(tableRow("embeddings.token_type_embeddings", e.tokenType(), tables));
        long other = normBytes(e.norm());
        for (int i = 0; i < weights.layerCount(); i++) {
            BertLayer layer = weights.layer(i);
            for (Linear linear : layer.linears()) {
                rows.add(linearRow(linear));
                other += 4L * linear.bias().length;
            }
            other += normBytes(layer.attentionNorm()) + normBytes(layer.outputNorm());
        }
        return new ModelInventory(rows, other);
    }

    public List<Row> rows() {
        return rows;
    }

    /** Bytes of biases and LayerNorm parameters, which have no rows of their own. */
    public long otherBytes() {
        return otherBytes;
    }

    public long totalBytes() {
        return rows.stream().mapToLong(Row::bytes).sum() + otherBytes;
    }

    public long totalParameters() {
        return rows.stream().mapToLong(r -> (long) r.rows() * r.cols()).sum() + otherBytes / 4;
    }

    /** Bytes of the linear layers' weights in their formats (embedding tables, biases and norms excluded). */
    public long linearBytes() {
        return rows.stream()
                .filter(r -> !r.name().startsWith("embeddings."))
                .mapToLong(Row::bytes)
                .sum();
    }

    /** Zero fraction over the linear layers' weights only (embedding tables are never pruned). */
    public double linearSparsity() {
        double zeros = 0;
        double total = 0;
        for (Row r : rows) {
            if (!r.name().startsWith("embeddings.")) {
                double n = (double) r.rows() * r.cols();
                zeros += r.sparsity() * n;
                total += n;
            }
        }
        return total == 0 ? 0 : zeros / total;
    }

    private static Row tableRow(String name, FloatTable t, TableFormat tables) {
        double sparsity = tableZeroFraction(t);
        return switch (tables) {
            case FP32 -> new Row(name, t.rows(), t.cols(), "dense fp32", sparsity, 4L * t.rows() * t.cols());
            case INT8 ->
                new Row(name, t.rows(), t.cols(), "int8 per row", sparsity, Int8Table.storedBytes(t.rows(), t.cols()));
        };
    }

    private static Row linearRow(Linear linear) {
        LinearWeights w = linear.weights();
        return new Row(
                linear.name(),
                w.outFeatures(),
                w.inFeatures(),
                w.formatName(),
                zeroFraction(w.toDense().data()),
                w.storedBytes());
    }

    private static long normBytes(LayerNormWeights norm) {
        return 8L * norm.features();
    }

    /** Row by row, so a mapped table is never copied whole. */
    private static double tableZeroFraction(FloatTable t) {
        float[] row = new float[t.cols()];
        long zeros = 0;
        for (int r = 0; r < t.rows(); r++) {
            t.readRow(r, row, 0);
            for (float v : row) {
                if (v == 0f) {
                    zeros++;
                }
            }
        }
        long n = (long) t.rows() * t.cols();
        return n == 0 ? 0 : (double) zeros / n;
    }

    private static double zeroFraction(float[] values) {
        long zeros = 0;
        for (float v : values) {
            if (v == 0f) {
                zeros++;
            }
        }
        return values.length == 0 ? 0 : (double) zeros / values.length;
    }
}
