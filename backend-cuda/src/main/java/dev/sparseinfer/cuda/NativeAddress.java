package dev.sparseinfer.cuda;

import dev.sparseinfer.engine.api.SparseInferException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.runtime.cudaStream_t;

/**
 * The one place where a raw device address crosses between bindings: memory and streams come from JCuda's driver
 * API, while cuBLAS may be reached through FFM, which speaks in plain {@code long} addresses. JCuda keeps the
 * address of its handles in protected members, so they are read here, once, through private lookups.
 */
public final class NativeAddress {

    private static final MethodHandle NATIVE_POINTER;
    private static final MethodHandle BYTE_OFFSET;
    private static final MethodHandle STREAM;

    static {
        try {
            MethodHandles.Lookup handles =
                    MethodHandles.privateLookupIn(NativePointerObject.class, MethodHandles.lookup());
            NATIVE_POINTER = handles.findVirtual(
                    NativePointerObject.class, "getNativePointer", MethodType.methodType(long.class));
            MethodHandles.Lookup pointers = MethodHandles.privateLookupIn(Pointer.class, MethodHandles.lookup());
            BYTE_OFFSET = pointers.findVirtual(Pointer.class, "getByteOffset", MethodType.methodType(long.class));
            MethodHandles.Lookup streams = MethodHandles.privateLookupIn(cudaStream_t.class, MethodHandles.lookup());
            STREAM = streams.findConstructor(cudaStream_t.class, MethodType.methodType(void.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private NativeAddress() {}

    /** The address a JCuda handle or device pointer stands for, its byte offset included. */
    public static long of(NativePointerObject handle) {
        try {
            long address = (long) NATIVE_POINTER.invokeExact(handle);
            if (handle instanceof Pointer pointer) {
                address += (long) BYTE_OFFSET.invokeExact(pointer);
            }
            return address;
        } catch (Throwable e) {
            throw new SparseInferException(
                    SparseInferException.Code.BACKEND_UNAVAILABLE, "cuda: cannot read a JCuda handle's address: " + e);
        }
    }

    /** A JCuda pointer to a raw device address, for JCuda library calls on memory whose address is all we hold. */
    public static Pointer pointer(long address) {
        return new RawPointer(address);
    }

    /**
     * A JCuda runtime stream for a raw stream address, for JCuda library calls ({@code cublasSetStream},
     * {@code cusparseSetStream}); JCuda builds one from an address only through a package-private constructor.
     */
    public static cudaStream_t stream(long address) {
        try {
            return (cudaStream_t) STREAM.invokeExact(address);
        } catch (Throwable e) {
            throw new SparseInferException(
                    SparseInferException.Code.BACKEND_UNAVAILABLE,
                    "cuda: cannot wrap a stream address for JCuda: " + e);
        }
    }

    /**
     * A driver-API device pointer to a raw address, for JCuda driver calls (copies, frees) on memory whose address
     * is all we hold. It is the null pointer displaced by {@code address}, which JCuda adds back when it passes
     * the pointer to the driver; {@link #of} reads it back the same way.
     */
    public static CUdeviceptr devicePointer(long address) {
        return new RawDevicePointer(address);
    }

    private static final class RawDevicePointer extends CUdeviceptr {
        RawDevicePointer(long address) {
            super(new CUdeviceptr(), address);
        }
    }

    private static final class RawPointer extends Pointer {
        RawPointer(long address) {
            super(address);
        }
    }
}
