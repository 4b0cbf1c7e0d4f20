package dev.sparseinfer.cuda;

import dev.sparseinfer.engine.api.SparseInferException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Every device allocation of one backend, with its size: what {@link #close()} frees, and the byte count a test
 * checks returns to zero. Not thread-safe; the backend serialises its device work.
 */
final class DeviceMemory implements AutoCloseable {

    private static final double MIB = 1024.0 * 1024.0;

    private final DeviceAllocator allocator;
    private final Map<Long, Long> live = new LinkedHashMap<>();
    private long bytesInUse;

    DeviceMemory(DeviceAllocator allocator) {
        this.allocator = allocator;
    }

    /** {@code bytes} of device memory for {@code what} (named in the out-of-memory message). */
    long allocate(long bytes, String what) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("device allocation of " + bytes + " bytes for " + what);
        }
        long address = allocator
                .allocate(bytes)
                .orElseThrow(() -> new SparseInferException(
                        SparseInferException.Code.BACKEND_UNAVAILABLE,
                        String.format(
                                Locale.ROOT,
                                "cuda: out of device memory allocating %.1f MiB for %s",
                                bytes / MIB,
                                what)));
        live.put(address, bytes);
        bytesInUse += bytes;
        return address;
    }

    void free(long address) {
        Long bytes = live.remove(address);
        if (bytes == null) {
            throw new IllegalStateException("device address 0x" + Long.toHexString(address) + " is not allocated here");
        }
        bytesInUse -= bytes;
        allocator.free(address);
    }

    long bytesInUse() {
        return bytesInUse;
    }

    @Override
    public void close() {
        for (Long address : live.keySet().toArray(Long[]::new)) {
            free(address);
        }
    }
}
