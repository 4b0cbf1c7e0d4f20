package dev.sparseinfer.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.SparseInferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a task does with its partition, run here without Spark: as an executor would, behind the driver's check. */
class PartitionEmbedderTest {

    @Test
    void passesAPartitionWithoutTextsThroughWithoutOpeningTheModel() {
        // No such model: opening it would throw.
        PartitionEmbedder embedder =
                new PartitionEmbedder(ModelSettings.of("no-such-model", LocalSpark.OPTIONS), 1, OutputType.ARRAY);
        List<Row> rows = List.of(RowFactory.create(1, null), RowFactory.create(2, null), RowFactory.create(3, null));

        List<Row> out = drain(embedder.call(rows.iterator()));

        assertEquals(3, out.size());
        for (int i = 0; i < out.size(); i++) {
            assertEquals(i + 1, out.get(i).getInt(0));
            assertNull(out.get(i).get(2));
        }
        assertTrue(drain(embedder.call(List.<Row>of().iterator())).isEmpty());
    }

    @Test
    void failsTheTaskWithTheEnginesOneLineErrorWhenTheModelIsCorrupt(@TempDir Path dir) throws IOException {
        Path broken = Files.write(dir.resolve("broken.safetensors"), new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 9, 9});
        PartitionEmbedder embedder =
                new PartitionEmbedder(ModelSettings.of(broken.toString(), LocalSpark.OPTIONS), 0, OutputType.ARRAY);
        Iterator<Row> out = embedder.call(List.of(RowFactory.create("a text")).iterator());

        SparseInferException e = assertThrows(SparseInferException.class, out::hasNext);

        assertEquals(SparseInferException.Code.INVALID_MODEL, e.code());
        assertTrue(e.getMessage().contains("broken.safetensors"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    private static List<Row> drain(Iterator<Row> rows) {
        List<Row> out = new ArrayList<>();
        rows.forEachRemaining(out::add);
        return out;
    }
}
