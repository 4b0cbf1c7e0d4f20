package dev.sparseinfer.cuda;

/**
 * Copies prepared weights to new device allocations, once, at prepare time. An empty array (a layer pruned to
 * nothing) still gets a small allocation, so every prepared buffer has an address to pass.
 */
final class DeviceUploads {

    private final DeviceMemory memory;
    private final CudaDevice device;

    DeviceUploads(DeviceMemory memory, CudaDevice device) {
        this.memory = memory;
        this.device = device;
    }

    long floats(float[] data, String what) {
        long address = memory.allocate(Math.max(4L * data.length, 4), what);
        if (data.length > 0) {
            device.upload(address, data);
        }
        return address;
    }

    long ints(int[] data, String what) {
        long address = memory.allocate(Math.max(4L * data.length, 4), what);
        if (data.length > 0) {
            device.upload(address, data);
        }
        return address;
    }

    /** fp32 values rounded to fp16 (round to nearest even), as the tensor cores and cuBLAS read them. */
    long halves(float[] data, String what) {
        short[] half = new short[data.length];
        for (int i = 0; i < data.length; i++) {
            half[i] = Float.floatToFloat16(data[i]);
        }
        long address = memory.allocate(Math.max(2L * half.length, 4), what);
        if (half.length > 0) {
            device.upload(address, half);
        }
        return address;
    }
}
