package dev.sparseinfer.engine.io.packed;

import dev.sparseinfer.engine.api.SparseInferException;
import java.util.Locale;

/** How a packed file stores the word, position and token-type embedding tables. */
public enum TableFormat {
    /** As they are: 4 bytes an entry. */
    FP32,
    /** int8 with one fp32 scale per row ({@link dev.sparseinfer.engine.format.Int8Table}): a quarter of the bytes. */
    INT8;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a table format named in a model file: an unknown one means a bad file, not a bad argument. */
    public static TableFormat parseModel(String s, String source) {
        try {
            return parse(s);
        } catch (SparseInferException e) {
            throw SparseInferException.invalidModel(source + ": unknown embedding table format '" + s + "'");
        }
    }

    public static TableFormat parse(String s) {
        for (TableFormat format : values()) {
            if (format.label().equals(s.trim().toLowerCase(Locale.ROOT))) {
                return format;
            }
        }
        throw SparseInferException.invalidArgument(
                "unknown embedding table format '" + s + "' (expected fp32 or int8)");
    }
}
