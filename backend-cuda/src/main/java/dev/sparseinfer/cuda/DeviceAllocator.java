package dev.sparseinfer.cuda;

import java.util.OptionalLong;

/** Where device memory comes from: the driver on a GPU, a simulation in tests of the accounting above it. */
interface DeviceAllocator {

    /** The address of {@code bytes} new bytes, or empty when the device has no room; other failures throw. */
    OptionalLong allocate(long bytes);

    void free(long address);
}
