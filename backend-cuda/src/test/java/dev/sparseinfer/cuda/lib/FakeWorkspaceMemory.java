package dev.sparseinfer.cuda.lib;

import dev.sparseinfer.cuda.NativeAddress;
import java.util.ArrayList;
import java.util.List;
import jcuda.Pointer;

/**
 * Device memory with no device behind it, for plans built on a stand-in cuSPARSE that never touches memory: hands
 * out distinct addresses and records, in order, every allocation, free and wait.
 */
final class FakeWorkspaceMemory implements WorkspaceMemory {

    private static final long BASE = 0x7f0000000000L;

    /** What happened, in order: {@code "allocate <bytes> <address>"}, {@code "free <address>"}, {@code "synchronize"}. */
    final List<String> events = new ArrayList<>();

    private long next = BASE;

    @Override
    public Buffer allocate(long bytes) {
        long address = bytes > 0 ? next : 0;
        next += Math.max(bytes, 1) + 0x1000;
        events.add("allocate " + bytes + " " + Long.toHexString(address));
        return new Buffer() {
            private boolean freed;

            @Override
            public Pointer pointer() {
                return NativeAddress.pointer(address);
            }

            @Override
            public long bytes() {
                return bytes;
            }

            @Override
            public void close() {
                if (!freed) {
                    freed = true;
                    events.add("free " + Long.toHexString(address));
                }
            }
        };
    }

    @Override
    public void synchronize() {
        events.add("synchronize");
    }

    /** The address the {@code index}-th allocation handed out, as the stand-in prints it. */
    String allocated(int index) {
        return events.stream()
                .filter(event -> event.startsWith("allocate "))
                .skip(index)
                .findFirst()
                .orElseThrow()
                .split(" ")[2];
    }

    /** Whether every allocation has been freed exactly once. */
    boolean allFreed() {
        List<String> allocated = events.stream()
                .filter(event -> event.startsWith("allocate "))
                .map(event -> event.split(" ")[2])
                .toList();
        List<String> freed = events.stream()
                .filter(event -> event.startsWith("free "))
                .map(event -> event.split(" ")[1])
                .toList();
        return allocated.size() == freed.size() && freed.containsAll(allocated) && allocated.containsAll(freed);
    }
}
