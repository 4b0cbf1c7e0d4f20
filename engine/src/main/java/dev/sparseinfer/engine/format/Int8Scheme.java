package dev.sparseinfer.engine.format;

import dev.sparseinfer.engine.api.SparseInferException;
import java.util.Locale;

/** How an int8 layer treats its input activations. */
public enum Int8Scheme {
    /** Activations quantised to int8 per token at run time (symmetric, max-abs); int8 x int8 products, int32 sums. */
    W8A8,
    /** Weight-only: activations stay fp32, weights are dequantised on the fly. */
    W8;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a scheme named in a model file: an unknown one means a bad file, not a bad argument. */
    public static Int8Scheme parseModel(String s, String source) {
        try {
            return parse(s);
        } catch (SparseInferException e) {
            throw SparseInferException.invalidModel(source + ": unknown int8 scheme '" + s + "'");
        }
    }

    public static Int8Scheme parse(String s) {
        for (Int8Scheme scheme : values()) {
            if (scheme.label().equals(s.trim().toLowerCase(Locale.ROOT))) {
                return scheme;
            }
        }
        throw SparseInferException.invalidArgument("unknown int8 scheme '" + s + "' (expected w8a8 or w8)");
    }
}
