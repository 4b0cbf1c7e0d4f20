package dev.sparseinfer.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.SparseInferException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** {@link DeviceMemory} and {@link ActivationArena} over a simulated device of fixed size. */
class MemoryAccountingTest {

    /** Hands out increasing addresses until its capacity is used; remembers what is live. */
    static final class SimulatedDevice implements DeviceAllocator {
        final long capacity;
        final Map<Long, Long> live = new HashMap<>();
        long next = 0x7f00_0000_0000L;
        long used;

        SimulatedDevice(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public OptionalLong allocate(long bytes) {
            if (used + bytes > capacity) {
                return OptionalLong.empty();
            }
            long address = next;
            next += (bytes + 511) / 512 * 512;
            live.put(address, bytes);
            used += bytes;
            return OptionalLong.of(address);
        }

        @Override
        public void free(long address) {
            Long bytes = live.remove(address);
            if (bytes == null) {
                throw new AssertionError("double or foreign free of 0x" + Long.toHexString(address));
            }
            used -= bytes;
        }
    }

    @Test
    void closeReturnsEveryByteWeightsAndActivationsTook() {
        SimulatedDevice device = new SimulatedDevice(1L << 30);
        DeviceMemory memory = new DeviceMemory(device);
        long start = memory.bytesInUse();
        ActivationArena arena = new ActivationArena(memory);
        memory.allocate(1000, "layer 0 weights");
        long freedEarly = memory.allocate(4096, "layer 1 weights");
        for (int pass = 0; pass < 5; pass++) {
            arena.reset();
            for (int i = 0; i < 40; i++) {
                arena.allocate(100_000L * (pass + 1), "activations");
            }
        }
        for (int call = 1; call <= 30; call++) {
            arena.scratch(1000L * call * call);
        }
        memory.free(freedEarly);
        assertEquals(device.used, memory.bytesInUse());
        arena.close();
        memory.close();
        assertEquals(start, memory.bytesInUse());
        assertTrue(device.live.isEmpty(), "still allocated on the device: " + device.live);
    }

    @Test
    void runningOutOfDeviceMemoryNamesTheSizeAndThePurpose() {
        DeviceMemory memory = new DeviceMemory(new SimulatedDevice(64L << 20));
        memory.allocate(60L << 20, "encoder.layer.0.intermediate.dense weights");
        SparseInferException e = assertThrows(
                SparseInferException.class, () -> memory.allocate(3L << 21, "encoder.layer.0.output.dense weights"));
        assertEquals(
                "cuda: out of device memory allocating 6.0 MiB for encoder.layer.0.output.dense weights",
                e.getMessage());
        assertEquals(SparseInferException.Code.BACKEND_UNAVAILABLE, e.code());
        assertEquals(60L << 20, memory.bytesInUse());
    }

    @Test
    void freeingAnAddressNotAllocatedHereIsAnError() {
        DeviceMemory memory = new DeviceMemory(new SimulatedDevice(1 << 20));
        long address = memory.allocate(100, "bias");
        memory.free(address);
        assertThrows(IllegalStateException.class, () -> memory.free(address));
    }

    @Test
    void aResetReplaysTheSameAddressesForTheSameRequests() {
        ActivationArena arena = new ActivationArena(new DeviceMemory(new SimulatedDevice(1L << 30)));
        long[] first = {arena.allocate(1000, "a"), arena.allocate(7, "b"), arena.allocate(123_456, "c")};
        arena.reset();
        long[] second = {arena.allocate(1000, "a"), arena.allocate(7, "b"), arena.allocate(123_456, "c")};
        assertEquals(Arrays.toString(first), Arrays.toString(second));
        for (long a : first) {
            assertEquals(0, a % ActivationArena.ALIGNMENT, "aligned");
        }
        assertTrue(first[1] >= first[0] + 1000 && first[2] >= first[1] + 7, "blocks do not overlap");
    }

    @Test
    void anOutgrownArenaSettlesOnOneChunkOfTheWholeSizeAndMovesToANewGeneration() {
        SimulatedDevice device = new SimulatedDevice(1L << 32);
        ActivationArena arena = new ActivationArena(new DeviceMemory(device));
        arena.allocate(3L << 20, "a");
        long generation = arena.generation();
        arena.allocate(5L << 20, "b");
        arena.allocate(9L << 20, "c");
        assertEquals(3, device.live.size(), "a chunk per overflow during the pass");
        long capacity = arena.capacity();
        arena.reset();
        assertEquals(1, device.live.size());
        assertEquals(capacity, arena.capacity());
        assertNotEquals(generation, arena.generation());
        long settled = arena.generation();
        arena.allocate(3L << 20, "a");
        arena.allocate(5L << 20, "b");
        arena.allocate(9L << 20, "c");
        arena.reset();
        assertEquals(1, device.live.size(), "the same pass now fits");
        assertEquals(settled, arena.generation());
    }

    @Test
    void operandScratchIsOneBlockReusedByEveryCallAndMovesOnlyToGrow() {
        SimulatedDevice device = new SimulatedDevice(1L << 32);
        ActivationArena arena = new ActivationArena(new DeviceMemory(device));
        long first = arena.scratch(10_000);
        long generation = arena.generation();
        for (int call = 0; call < 1000; call++) {
            assertEquals(first, arena.scratch(10_000 - call));
        }
        assertEquals(generation, arena.generation());
        assertEquals(1, device.live.size());
        long grown = arena.scratch(10_001);
        assertNotEquals(first, grown);
        assertNotEquals(generation, arena.generation());
        assertEquals(2, device.live.size(), "the old block may still be read by queued work");
        arena.reset();
        assertEquals(1, device.live.size(), "a reset frees it");
        assertEquals(grown, arena.scratch(20_000), "grown at least twofold");
    }
}
