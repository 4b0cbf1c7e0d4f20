package dev.sparseinfer.cuda;

import java.util.Optional;

/**
 * What {@link CudaProbe} found: the device and kernels to run on, or the first missing piece.
 *
 * @param reason one line: what is missing, or which device runs
 */
public record CudaAvailability(
        boolean available, String reason, Optional<CudaDeviceInfo> device, Optional<byte[]> fatbin) {

    static CudaAvailability missing(String reason) {
        return new CudaAvailability(false, reason, Optional.empty(), Optional.empty());
    }

    static CudaAvailability found(CudaDeviceInfo device, byte[] fatbin) {
        return new CudaAvailability(true, "cuda: " + device, Optional.of(device), Optional.of(fatbin));
    }
}
