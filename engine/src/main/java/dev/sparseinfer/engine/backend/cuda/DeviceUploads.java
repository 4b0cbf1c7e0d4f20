package dev.sparseinfer.engine.backend.cuda;

import jcuda.Pointer;

/**
 * Copies prepared weights to new device allocations, once, at prepare time. An empty array (a layer pruned to
 * nothing) still gets a small allocation, so every prepared buffer has an address to pass.
 */
final class DeviceUploads {

    private final DeviceMemory memory;
    private final CudaStream stream;

    DeviceUploads(DeviceMemory memory, CudaStream stream) {
        this.memory = memory;
        this.stream = stream;
    }

    long floats(float[] data, String what) {
        return copy(Pointer.to(data), 4L * data.length, what);
    }

    long ints(int[] data, String what) {
        return copy(Pointer.to(data), 4L * data.length, what);
    }

    /** fp32 values rounded to fp16 (round to nearest even), as the tensor cores and cuBLAS read them. */
    long halves(float[] data, String what) {
        short[] half = new short[data.length];
        for (int i = 0; i < data.length; i++) {
            half[i] = Float.floatToFloat16(data[i]);
        }
        return copy(Pointer.to(half), 2L * half.length, what);
    }

    private long copy(Pointer host, long bytes, String what) {
        long address = memory.allocate(Math.max(bytes, 4), what);
        if (bytes > 0) {
            stream.upload(address, host, bytes);
        }
        return address;
    }
}
