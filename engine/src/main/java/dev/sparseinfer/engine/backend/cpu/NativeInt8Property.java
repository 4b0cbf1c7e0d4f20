package dev.sparseinfer.engine.backend.cpu;

import dev.sparseinfer.engine.api.SparseInferException;
import java.util.Locale;
import java.util.Optional;

/**
 * Parses {@code -Dsparseinfer.native} (or, when it is not set, the environment variable {@code SPARSEINFER_NATIVE}):
 * whether the CPU backend runs w8a8 layers on the native int8 kernels. {@code true} (the default) takes the best
 * instruction set this CPU has, {@code false} keeps the Vector API kernels, and an instruction set's name
 * ({@code avx2}, {@code avx512-vnni}) asks for that one.
 *
 * @param enabled whether to load the native kernels at all
 * @param forced  the instruction set asked for by name, if one was
 * @param source  how the user set it, for notices: {@code -Dsparseinfer.native=false} or {@code SPARSEINFER_NATIVE=false}
 */
record NativeInt8Property(boolean enabled, Optional<NativeInt8Isa> forced, String source) {

    static final String NAME = "sparseinfer.native";
    static final String ENV = "SPARSEINFER_NATIVE";

    static NativeInt8Property parse(String property, String env) {
        if (property != null && !property.isBlank()) {
            return parseValue(property, "-D" + NAME + "=" + property.strip());
        }
        if (env != null && !env.isBlank()) {
            return parseValue(env, ENV + "=" + env.strip());
        }
        return new NativeInt8Property(true, Optional.empty(), "");
    }

    private static NativeInt8Property parseValue(String value, String source) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        if (v.equals("true")) {
            return new NativeInt8Property(true, Optional.empty(), source);
        }
        if (v.equals("false")) {
            return new NativeInt8Property(false, Optional.empty(), source);
        }
        for (NativeInt8Isa isa : NativeInt8Isa.values()) {
            if (isa.label().equals(v)) {
                return new NativeInt8Property(true, Optional.of(isa), source);
            }
        }
        throw SparseInferException.invalidArgument(
                source + ": expected true, false, avx2 or avx512-vnni (native int8 kernels)");
    }
}
