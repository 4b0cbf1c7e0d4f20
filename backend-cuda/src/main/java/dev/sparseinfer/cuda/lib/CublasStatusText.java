package dev.sparseinfer.cuda.lib;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.sparseinfer.engine.api.SparseInferException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import jcuda.jcublas.cublasStatus;

/**
 * Turns a {@code cublasStatus_t} into the one-line error the backend reports. The library's own
 * {@code cublasGetStatusName} and {@code cublasGetStatusString} name codes newer than any table of ours; where the
 * library lacks them, JCublas's table of names (plain Java, no natives) stands in.
 */
@SuppressWarnings("restricted") // calling native code is this class's job; the JVM runs with native access
final class CublasStatusText {

    private static final int SUCCESS = 0;
    private static final FunctionDescriptor STRING_OF_STATUS = FunctionDescriptor.of(ADDRESS, JAVA_INT);

    private final MethodHandle name;
    private final MethodHandle description;

    private CublasStatusText(MethodHandle name, MethodHandle description) {
        this.name = name;
        this.description = description;
    }

    /** Status text from JCublas's table only. */
    static CublasStatusText fromTable() {
        return new CublasStatusText(null, null);
    }

    /** Status text from the library's own functions where it exports them. */
    static CublasStatusText of(SymbolLookup library) {
        return new CublasStatusText(
                stringFunction(library, "cublasGetStatusName"), stringFunction(library, "cublasGetStatusString"));
    }

    /** Throws the one-line error for {@code status} unless it is {@code CUBLAS_STATUS_SUCCESS}. */
    void check(String function, int status) {
        if (status == SUCCESS) {
            return;
        }
        String text = name(status);
        String detail = text(description, status);
        if (detail != null && !detail.isBlank()) {
            text += " (" + detail + ")";
        }
        throw new SparseInferException(
                SparseInferException.Code.BACKEND_UNAVAILABLE, "cuda: " + function + " failed: " + text);
    }

    private String name(int status) {
        String name = text(this.name, status);
        return name != null && !name.isBlank() ? name : cublasStatus.stringFor(status);
    }

    private static String text(MethodHandle function, int status) {
        if (function == null) {
            return null;
        }
        try {
            MemorySegment text = (MemorySegment) function.invokeExact(status);
            return text.equals(MemorySegment.NULL)
                    ? null
                    : text.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable e) {
            return null; // the status itself is the error to report; JCublas's table names it instead
        }
    }

    private static MethodHandle stringFunction(SymbolLookup library, String symbol) {
        Optional<MemorySegment> address = library.find(symbol);
        return address.map(a -> Linker.nativeLinker().downcallHandle(a, STRING_OF_STATUS))
                .orElse(null);
    }
}
