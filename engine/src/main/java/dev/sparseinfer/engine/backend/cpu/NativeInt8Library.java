package dev.sparseinfer.engine.backend.cpu;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The native library of int8 and bf16 kernels ({@code native-cpu/src/main/c}), bound through the Foreign Function and Memory API. The
 * library is a resource of the {@code sparseinfer-native-cpu} jar, which the engine does not depend on: it is found
 * on the class path at run time, copied once into a directory named after its SHA-256 under
 * {@code java.io.tmpdir} (the dynamic loader needs a file), and loaded when this class initialises, so a class
 * initialisation error here means the library would not load. Every call is {@link Linker.Option#critical critical}:
 * the kernels are short, never call back into Java, and read and write the backend's heap arrays in place, so the
 * activations are never copied to native memory and back.
 */
final class NativeInt8Library {

    static final String RESOURCE = "/dev/sparseinfer/nativecpu/linux-x86_64/libsparseinfer_cpu.so";

    private static final MethodHandle LEVELS;
    private static final MethodHandle PACKED_BYTES;
    private static final MethodHandle SCRATCH_BYTES;
    private static final MethodHandle PACK;
    private static final MethodHandle QUANTIZE;
    private static final MethodHandle GEMM_I32;
    private static final MethodHandle LINEAR_W8A8;
    private static final MethodHandle BF16_PACKED_BYTES;
    private static final MethodHandle BF16_SCRATCH_BYTES;
    private static final MethodHandle BF16_PACK;
    private static final MethodHandle LINEAR_BF16;

    static {
        SymbolLookup library = SymbolLookup.libraryLookup(extracted(), Arena.global());
        LEVELS = bind(library, "si_levels", FunctionDescriptor.of(JAVA_INT));
        PACKED_BYTES = bind(library, "si_packed_bytes", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_INT));
        SCRATCH_BYTES = bind(library, "si_scratch_bytes", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_INT));
        PACK = bind(library, "si_pack", FunctionDescriptor.ofVoid(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
        QUANTIZE = bind(
                library,
                "si_quantize",
                FunctionDescriptor.ofVoid(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        GEMM_I32 = bind(
                library,
                "si_gemm_i32",
                FunctionDescriptor.ofVoid(
                        JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT,
                        ADDRESS));
        LINEAR_W8A8 = bind(
                library,
                "si_linear_w8a8",
                FunctionDescriptor.ofVoid(
                        JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT,
                        JAVA_INT, ADDRESS));
        BF16_PACKED_BYTES = bind(library, "si_bf16_packed_bytes", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_INT));
        BF16_SCRATCH_BYTES =
                bind(library, "si_bf16_scratch_bytes", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_INT));
        BF16_PACK = bind(library, "si_bf16_pack", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
        LINEAR_BF16 = bind(
                library,
                "si_linear_bf16",
                FunctionDescriptor.ofVoid(
                        ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    }

    private NativeInt8Library() {}

    private static MethodHandle bind(SymbolLookup library, String name, FunctionDescriptor descriptor) {
        MemorySegment symbol =
                library.find(name).orElseThrow(() -> new UnsatisfiedLinkError("the native library has no " + name));
        return Linker.nativeLinker().downcallHandle(symbol, descriptor, Linker.Option.critical(true));
    }

    /** The library's file, written once per content: a second JVM finds it in place and only loads it. */
    private static Path extracted() {
        try (InputStream in = NativeInt8Library.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new UnsatisfiedLinkError("no " + RESOURCE + " on the class path");
            }
            byte[] bytes = in.readAllBytes();
            String digest = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes))
                    .substring(0, 16);
            Path dir = Path.of(System.getProperty("java.io.tmpdir"), "sparseinfer-native-" + digest);
            Path file = dir.resolve("libsparseinfer_cpu.so");
            if (Files.isRegularFile(file) && Files.size(file) == bytes.length) {
                return file;
            }
            Files.createDirectories(dir);
            Path partial = Files.createTempFile(dir, "libsparseinfer_cpu", ".part");
            Files.write(partial, bytes);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the native int8 library out of its jar: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A bit per {@link NativeInt8Isa} this CPU runs. */
    static int levels() {
        try {
            return (int) LEVELS.invokeExact();
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    /** Bytes {@link #pack} writes for {@code [out, in]} weights. */
    static long packedBytes(int out, int in) {
        return size(PACKED_BYTES, out, in);
    }

    /** Bytes of the per-call scratch {@link #linearW8a8} needs for {@code rows} tokens of {@code in} inputs. */
    static long scratchBytes(int rows, int in) {
        return size(SCRATCH_BYTES, rows, in);
    }

    /** Packs {@code [out, in]} int8 weights, row-major, into {@code dst} ({@link #packedBytes} long) for {@code isa}. */
    static void pack(NativeInt8Isa isa, byte[] weights, int out, int in, MemorySegment dst) {
        try {
            PACK.invokeExact(isa.level(), MemorySegment.ofArray(weights), out, in, dst);
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    /**
     * Quantises {@code x [rows, in]} per token into {@code codes} ({@code [rows, in]} padded to a multiple of 4 per
     * row), {@code scales} and the per-token sums of the codes.
     */
    static void quantize(
            NativeInt8Isa isa, float[] x, int rows, int in, MemorySegment codes, float[] scales, int[] sums) {
        try {
            QUANTIZE.invokeExact(
                    isa.level(),
                    MemorySegment.ofArray(x),
                    rows,
                    in,
                    codes,
                    MemorySegment.ofArray(scales),
                    MemorySegment.ofArray(sums));
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    /** {@code c[r, o] = sum_i codes[r, i] * W[o, i]} for {@code from <= o < to}, exact in int32. */
    static void gemmI32(
            NativeInt8Isa isa,
            MemorySegment codes,
            int[] sums,
            int rows,
            int in,
            MemorySegment packed,
            int out,
            int from,
            int to,
            int[] c) {
        try {
            GEMM_I32.invokeExact(
                    isa.level(),
                    codes,
                    MemorySegment.ofArray(sums),
                    rows,
                    in,
                    packed,
                    out,
                    from,
                    to,
                    MemorySegment.ofArray(c));
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    /**
     * A w8a8 layer's outputs {@code from <= o < to}: each token of {@code x [rows, in]} quantised as
     * {@link ActivationQuantizer} does, then {@code y[r, o] = sum * (scales[o] * tokenScale[r]) + bias[o]}.
     */
    static void linearW8a8(
            NativeInt8Isa isa,
            MemorySegment x,
            int rows,
            int in,
            MemorySegment scratch,
            MemorySegment packed,
            MemorySegment scales,
            MemorySegment bias,
            int out,
            int from,
            int to,
            MemorySegment y) {
        try {
            LINEAR_W8A8.invokeExact(isa.level(), x, rows, in, scratch, packed, scales, bias, out, from, to, y);
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    /** Bytes {@link #bf16Pack} writes for {@code [out, in]} weights. */
    static long bf16PackedBytes(int out, int in) {
        return size(BF16_PACKED_BYTES, out, in);
    }

    /** Bytes of the per-call scratch {@link #linearBf16} needs for {@code rows} tokens of {@code in} inputs. */
    static long bf16ScratchBytes(int rows, int in) {
        return size(BF16_SCRATCH_BYTES, rows, in);
    }

    /** Rounds {@code [out, in]} fp32 weights, row-major, to bf16 and packs them into {@code dst}. */
    static void bf16Pack(float[] weights, int out, int in, MemorySegment dst) {
        try {
            BF16_PACK.invokeExact(MemorySegment.ofArray(weights), out, in, dst);
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    /**
     * A bf16 layer's outputs {@code from <= o < to}: {@code y[r, o] = sum_i bf16(x[r, i]) * bf16(W[o, i]) + bias[o]},
     * the products summed in fp32; AVX-512 BF16 only.
     */
    static void linearBf16(
            MemorySegment x,
            int rows,
            int in,
            MemorySegment scratch,
            MemorySegment packed,
            MemorySegment bias,
            int out,
            int from,
            int to,
            MemorySegment y) {
        try {
            LINEAR_BF16.invokeExact(x, rows, in, scratch, packed, bias, out, from, to, y);
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    /** A size the library computes from two ints ({@code si_*_bytes}). */
    private static long size(MethodHandle handle, int a, int b) {
        try {
            return (long) handle.invokeExact(a, b);
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    private static RuntimeException rethrown(Throwable t) {
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }
}
