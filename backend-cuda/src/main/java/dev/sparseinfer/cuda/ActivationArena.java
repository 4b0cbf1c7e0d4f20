package dev.sparseinfer.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * Device memory for the activations of one forward pass: a bump allocator, reset before each pass, so a pass
 * allocates nothing from the driver once the arena has grown to its size. When a pass outgrows the arena it
 * chains another chunk; the next reset folds all chunks into one of the total size, so the arena settles on
 * one chunk. Because a reset replays the same addresses for the same sequence of requests, a CUDA graph recorded
 * in one pass stays valid for later ones until the arena is rebuilt, which {@link #generation()} counts.
 *
 * <p>Operand copies a linear layer makes of its input (fp16 or int8) live only for that layer's call, so they share
 * one {@link #scratch} block instead: ops run in stream order, so one call's copy is consumed before the next
 * overwrites it. This also keeps calls made outside any pass (a kernel benchmark's thousands of runs) from growing
 * the arena.
 */
final class ActivationArena implements AutoCloseable {

    /** cudaMalloc's own alignment, enough for every vector load in our kernels and for cuBLAS. */
    static final long ALIGNMENT = 256;

    private static final long MIN_CHUNK = 4L << 20;

    private final DeviceMemory memory;
    private final List<Chunk> chunks = new ArrayList<>();
    private final List<Long> retiredScratch = new ArrayList<>();
    private int current;
    private long generation;
    private long scratch;
    private long scratchBytes;

    private static final class Chunk {
        final long address;
        final long bytes;
        long used;

        Chunk(long address, long bytes) {
            this.address = address;
            this.bytes = bytes;
        }
    }

    ActivationArena(DeviceMemory memory) {
        this.memory = memory;
    }

    /** {@code bytes} rounded up to a whole number of {@link #ALIGNMENT}s: where a block that follows may start. */
    static long aligned(long bytes) {
        return (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    /** An aligned block of {@code bytes}, valid until the next {@link #reset()}. */
    long allocate(long bytes, String what) {
        long size = Math.max(ALIGNMENT, aligned(bytes));
        while (current < chunks.size()) {
            Chunk chunk = chunks.get(current);
            if (chunk.used + size <= chunk.bytes) {
                long address = chunk.address + chunk.used;
                chunk.used += size;
                return address;
            }
            current++;
        }
        long total = chunks.stream().mapToLong(c -> c.bytes).sum();
        long chunkBytes = Math.max(size, Math.max(MIN_CHUNK, total));
        Chunk chunk = new Chunk(memory.allocate(chunkBytes, what), chunkBytes);
        chunk.used = size;
        chunks.add(chunk);
        current = chunks.size() - 1;
        return chunk.address;
    }

    /**
     * The shared block for one op's operand copies, at least {@code bytes} long. Growing it moves it (a new
     * generation); the old block may still be read by queued work, so it is freed at the next reset.
     */
    long scratch(long bytes) {
        if (bytes > scratchBytes) {
            if (scratch != 0) {
                retiredScratch.add(scratch);
            }
            long size = Math.max(bytes, 2 * scratchBytes);
            scratch = memory.allocate(aligned(size), "operand scratch");
            scratchBytes = size;
            generation++;
        }
        return scratch;
    }

    /** Forgets every block; call only when no device work still uses them. */
    void reset() {
        retiredScratch.forEach(memory::free);
        retiredScratch.clear();
        if (chunks.size() > 1) {
            long total = 0;
            for (Chunk chunk : chunks) {
                total += chunk.bytes;
                memory.free(chunk.address);
            }
            chunks.clear();
            chunks.add(new Chunk(memory.allocate(total, "activations"), total));
            generation++;
        }
        for (Chunk chunk : chunks) {
            chunk.used = 0;
        }
        current = 0;
    }

    /** Changes whenever the arena's memory moves: addresses handed out before are then stale. */
    long generation() {
        return generation;
    }

    /** Bytes of the activation chunks (the scratch block not included). */
    long capacity() {
        return chunks.stream().mapToLong(c -> c.bytes).sum();
    }

    @Override
    public void close() {
        for (Chunk chunk : chunks) {
            memory.free(chunk.address);
        }
        chunks.clear();
        retiredScratch.forEach(memory::free);
        retiredScratch.clear();
        if (scratch != 0) {
            memory.free(scratch);
            scratch = 0;
            scratchBytes = 0;
        }
        current = 0;
        generation++;
    }
}
