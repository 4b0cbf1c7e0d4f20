package dev.sparseinfer.spark;

import dev.sparseinfer.engine.api.SparseInferException;
import java.util.Arrays;
import java.util.Locale;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/** The column type embeddings are written as. */
enum OutputType {
    /** {@code array<float>}: the engine's floats as they are. */
    ARRAY("array", DataTypes.createArrayType(DataTypes.FloatType, false)),
    /** An ML {@code Vector} (dense, doubles), as Spark ML's estimators take their features. */
    VECTOR("vector", SQLDataTypes.VectorType());

    private final String label;
    private final DataType dataType;

    OutputType(String label, DataType dataType) {
        this.label = label;
        this.dataType = dataType;
    }

    String label() {
        return label;
    }

    DataType dataType() {
        return dataType;
    }

    /** The column value for one embedding. */
    Object value(float[] vector) {
        return switch (this) {
            case ARRAY -> vector;
            case VECTOR -> {
                double[] values = new double[vector.length];
                for (int i = 0; i < vector.length; i++) {
                    values[i] = vector[i];
                }
                yield Vectors.dense(values);
            }
        };
    }

    static OutputType parse(String label) {
        String lower = label.toLowerCase(Locale.ROOT);
        return Arrays.stream(values())
                .filter(t -> t.label.equals(lower))
                .findFirst()
                .orElseThrow(() -> SparseInferException.invalidArgument(
                        "unknown output type '" + label + "' (expected array|vector)"));
    }
}
