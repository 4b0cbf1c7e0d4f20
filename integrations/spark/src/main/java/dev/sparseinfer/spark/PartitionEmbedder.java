package dev.sparseinfer.spark;

import dev.sparseinfer.engine.api.Embedding;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Embeds one partition, {@link ModelSettings#batchSize()} rows at a time, so each forward pass gets a full batch and
 * the partition is never held in memory whole: each row comes out with its embedding appended (null for a null
 * text). The executor's shared model is opened only when the partition has a text to embed.
 */
final class PartitionEmbedder implements MapPartitionsFunction<Row, Row> {

    private final ModelSettings settings;
    private final int textColumn;
    private final OutputType outputType;

    PartitionEmbedder(ModelSettings settings, int textColumn, OutputType outputType) {
        this.settings = settings;
        this.textColumn = textColumn;
        this.outputType = outputType;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        return new Iterator<>() {
            private final ArrayDeque<Row> ready = new ArrayDeque<>();

            @Override
            public boolean hasNext() {
                if (ready.isEmpty() && rows.hasNext()) {
                    embedNextBatch(rows, ready);
                }
                return !ready.isEmpty();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return ready.removeFirst();
            }
        };
    }

    private void embedNextBatch(Iterator<Row> rows, ArrayDeque<Row> out) {
        List<Row> batch = new ArrayList<>(settings.batchSize());
        List<String> texts = new ArrayList<>(settings.batchSize());
        while (batch.size() < settings.batchSize() && rows.hasNext()) {
            Row row = rows.next();
            batch.add(row);
            if (!row.isNullAt(textColumn)) {
                texts.add(row.getString(textColumn));
            }
        }
        List<Embedding> embeddings =
                texts.isEmpty() ? List.of() : SharedModels.get(settings).embed(texts);
        int next = 0;
        for (Row row : batch) {
            Object value = row.isNullAt(textColumn)
                    ? null
                    : outputType.value(embeddings.get(next++).vector());
            out.addLast(appended(row, value));
        }
    }

    private static Row appended(Row row, Object value) {
        Object[] values = new Object[row.length() + 1];
        for (int i = 0; i < row.length(); i++) {
            values[i] = row.get(i);
        }
        values[row.length()] = value;
        return RowFactory.create(values);
    }
}
