package dev.sparseinfer.engine.backend;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * What a {@link DeviceBackendProvider} found on this machine: a backend ready to open, or the first missing piece.
 *
 * @param missing one line naming what is missing; empty when {@code open} can run
 */
public record DeviceProbe(Optional<String> missing, Supplier<Backend> opener) {

    public static DeviceProbe missing(String reason) {
        return new DeviceProbe(Optional.of(reason), () -> {
            throw new IllegalStateException("nothing to open: " + reason);
        });
    }

    public static DeviceProbe ready(Supplier<Backend> opener) {
        return new DeviceProbe(Optional.empty(), opener);
    }

    public boolean available() {
        return missing.isEmpty();
    }

    /** Opens the device backend; may still throw {@code BACKEND_UNAVAILABLE} (device memory taken, ...). */
    public Backend open() {
        return opener.get();
    }
}
