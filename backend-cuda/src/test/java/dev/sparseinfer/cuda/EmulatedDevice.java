package dev.sparseinfer.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * A CUDA device emulated in plain Java, for running {@link CudaBackend}'s orchestration without a GPU: device
 * memory as bounds-checked buffers (new memory filled with NaN bytes, so a read of anything never written shows),
 * one in-order stream whose work runs at once, kernels by {@link EmulatedKernels}, and graph recording that keeps
 * the enqueued work for replay. It enforces what a real recording forbids: no copies to or from the host and no
 * waiting while recording.
 */
final class EmulatedDevice implements CudaDevice {

    private final TreeMap<Long, ByteBuffer> memory = new TreeMap<>();
    private long nextAddress = 0x7f00_0000_0000L;
    private List<Runnable> recording;
    private int replays;
    private boolean closed;

    /** Work on the stream: run now, or kept while recording. */
    void enqueue(Runnable work) {
        if (closed) {
            throw new IllegalStateException("device closed");
        }
        if (recording != null) {
            recording.add(work);
        } else {
            work.run();
        }
    }

    private void notRecording(String what) {
        if (recording != null) {
            throw new IllegalStateException(what + " while recording a graph");
        }
    }

    int replays() {
        return replays;
    }

    int liveAllocations() {
        return memory.size();
    }

    @Override
    public void makeCurrent() {}

    @Override
    public DeviceAllocator allocator() {
        return new DeviceAllocator() {
            @Override
            public OptionalLong allocate(long bytes) {
                notRecording("cuMemAlloc");
                ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
                Arrays.fill(buffer.array(), (byte) 0xFF);
                long address = nextAddress;
                nextAddress += (bytes + 511) / 512 * 512 + 512;
                memory.put(address, buffer);
                return OptionalLong.of(address);
            }

            @Override
            public void free(long address) {
                notRecording("cuMemFree");
                if (memory.remove(address) == null) {
                    throw new IllegalStateException("free of 0x" + Long.toHexString(address) + ", not allocated");
                }
            }
        };
    }

    @Override
    public KernelLauncher kernels() {
        return (kernel, geometry, arguments) -> {
            KernelSignatures.check(kernel, arguments);
            long[] values = decode(arguments);
            enqueue(() -> EmulatedKernels.run(this, kernel, geometry, values));
        };
    }

    /** The argument values as the kernel receives them: pointers and ints as they are, floats as their bits. */
    private static long[] decode(KernelArguments arguments) {
        ByteBuffer bytes = arguments.values();
        int[] offsets = arguments.offsets();
        List<KernelArguments.Kind> kinds = arguments.kinds();
        long[] values = new long[offsets.length];
        for (int i = 0; i < offsets.length; i++) {
            values[i] =
                    kinds.get(i) == KernelArguments.Kind.POINTER ? bytes.getLong(offsets[i]) : bytes.getInt(offsets[i]);
        }
        return values;
    }

    @Override
    public long stream() {
        return 0x5EA7;
    }

    @Override
    public void upload(long address, float[] host) {
        notRecording("host-to-device copy");
        for (int i = 0; i < host.length; i++) {
            putFloat(address + 4L * i, host[i]);
        }
    }

    @Override
    public void upload(long address, int[] host) {
        notRecording("host-to-device copy");
        for (int i = 0; i < host.length; i++) {
            putInt(address + 4L * i, host[i]);
        }
    }

    @Override
    public void upload(long address, short[] host) {
        notRecording("host-to-device copy");
        for (int i = 0; i < host.length; i++) {
            putShort(address + 2L * i, host[i]);
        }
    }

    @Override
    public void download(long address, float[] host) {
        notRecording("device-to-host copy");
        for (int i = 0; i < host.length; i++) {
            host[i] = getFloat(address + 4L * i);
        }
    }

    @Override
    public void synchronize() {
        notRecording("stream synchronize");
    }

    @Override
    public void copy(long to, long from, long bytes) {
        enqueue(() -> {
            for (long i = 0; i < bytes; i++) {
                putByte(to + i, getByte(from + i));
            }
        });
    }

    @Override
    public float millis(Runnable work) {
        work.run();
        return 0f;
    }

    @Override
    public void beginRecording() {
        notRecording("begin recording");
        recording = new ArrayList<>();
    }

    @Override
    public RecordedWork endRecording() {
        List<Runnable> work = List.copyOf(recording);
        recording = null;
        return new RecordedWork() {
            @Override
            public void launch() {
                replays++;
                work.forEach(EmulatedDevice.this::enqueue);
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public void abandonRecording() {
        recording = null;
    }

    @Override
    public void close() {
        closed = true;
    }

    private ByteBuffer at(long address, int bytes) {
        Map.Entry<Long, ByteBuffer> block = memory.floorEntry(address);
        if (block == null || address + bytes > block.getKey() + block.getValue().capacity()) {
            throw new IllegalStateException(
                    "access of " + bytes + " bytes at 0x" + Long.toHexString(address) + " outside any allocation");
        }
        return block.getValue();
    }

    private int offset(long address) {
        return (int) (address - memory.floorKey(address));
    }

    float getFloat(long address) {
        return at(address, 4).getFloat(offset(address));
    }

    void putFloat(long address, float value) {
        at(address, 4).putFloat(offset(address), value);
    }

    int getInt(long address) {
        return at(address, 4).getInt(offset(address));
    }

    void putInt(long address, int value) {
        at(address, 4).putInt(offset(address), value);
    }

    short getShort(long address) {
        return at(address, 2).getShort(offset(address));
    }

    void putShort(long address, short value) {
        at(address, 2).putShort(offset(address), value);
    }

    byte getByte(long address) {
        return at(address, 1).get(offset(address));
    }

    void putByte(long address, byte value) {
        at(address, 1).put(offset(address), value);
    }

    /** An fp16 element read as fp32. */
    float getHalf(long address) {
        return Float.float16ToFloat(getShort(address));
    }
}
