package dev.sparseinfer.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Finds the fatbin nvcc built from {@code src/main/cuda} (machine code for sm_80, sm_86, sm_89, sm_90 and PTX for
 * newer GPUs). It is absent when the build machine had no nvcc; a CUDA backend then reports "kernels not built".
 */
public final class KernelFatbin {

    /** Class-path location of the fatbin. */
    public static final String RESOURCE = "/dev/sparseinfer/kernels/sparseinfer.fatbin";

    private KernelFatbin() {}

    /** The fatbin's bytes, or empty if this build has none. */
    public static Optional<byte[]> load() {
        try (InputStream in = KernelFatbin.class.getResourceAsStream(RESOURCE)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }
}
