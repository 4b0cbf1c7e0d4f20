package dev.sparseinfer.cuda;

/** One CUDA device as the driver describes it. */
public record CudaDeviceInfo(int ordinal, String name, int major, int minor) {

    /** Sparse tensor cores ({@code mma.sp}), which the 2:4 kernels need, arrived with compute capability 8.0. */
    static final int MIN_MAJOR = 8;

    boolean supported() {
        return major >= MIN_MAJOR;
    }

    @Override
    public String toString() {
        return name + " (sm_" + major + minor + ")";
    }
}
