package dev.sparseinfer.engine.backend;

import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.Precision;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.backend.cpu.CpuBackend;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one place that decides which backend runs a model, and says why in one line when it is not the one asked
 * for.
 *
 * @param backend the backend that will run
 * @param notice  why {@code auto} settled on it, if it is not the fastest kind, and why the backend runs slower
 *                than the machine allows, if it does ({@link Backend#notice})
 */
public record BackendSelection(Backend backend, Optional<String> notice) {

    /** Why the CUDA backend cannot run in a build that was made without it. */
    static final String NOT_IN_BUILD = "cuda: this build has no CUDA backend";

    public static BackendSelection select(BackendKind kind, int threads) {
        return select(kind, threads, Precision.FP32);
    }

    /** With dense fp32 layers computed at {@code precision} on the CPU; a device runs them as it always does. */
    public static BackendSelection select(BackendKind kind, int threads, Precision precision) {
        return select(kind, threads, precision, BackendSelection::probeDevice);
    }

    /** Why a device backend runs fp32 though bf16 was asked for. */
    static final String BF16_ON_DEVICE = "bf16 precision is for the cpu backend, dense layers run fp32";

    /** What the CUDA backend this build carries finds on this machine. */
    public static DeviceProbe probeDevice() {
        return ServiceLoader.load(DeviceBackendProvider.class)
                .findFirst()
                .map(DeviceBackendProvider::probe)
                .orElseGet(() -> DeviceProbe.missing(NOT_IN_BUILD));
    }

    /** With the device probe given, so tests can stand in for a GPU machine. */
    static BackendSelection select(BackendKind kind, int threads, Supplier<DeviceProbe> probe) {
        return select(kind, threads, Precision.FP32, probe);
    }

    static BackendSelection select(BackendKind kind, int threads, Precision precision, Supplier<DeviceProbe> probe) {
        return switch (kind) {
            case CPU -> {
                CpuBackend cpu = new CpuBackend(threads, precision);
                yield new BackendSelection(cpu, cpu.notice());
            }
            case CUDA -> {
                DeviceProbe found = probe.get();
                if (!found.available()) {
                    throw new SparseInferException(
                            SparseInferException.Code.BACKEND_UNAVAILABLE,
                            found.missing().get());
                }
                Backend device = found.open();
                yield onDevice(device, precision);
            }
            case AUTO -> {
                DeviceProbe found = probe.get();
                if (!found.available()) {
                    yield onCpu(threads, precision, found.missing().get());
                }
                Backend device;
                try {
                    device = found.open();
                } catch (SparseInferException e) {
                    // Everything was there, yet the device would not open (another process holds its memory, ...).
                    if (e.code() != SparseInferException.Code.BACKEND_UNAVAILABLE) {
                        throw e;
                    }
                    yield onCpu(threads, precision, e.getMessage());
                }
                yield onDevice(device, precision);
            }
        };
    }

    /**
     * Prepares a model on this backend, closing the backend (and so freeing what it holds) if that fails. With
     * {@code auto}, a device that opened but cannot hold the model ({@code BACKEND_UNAVAILABLE}: out of device
     * memory, ...) hands it over to the CPU, and the notice says why.
     */
    public <T> Prepared<T> prepare(BackendKind asked, int threads, Function<Backend, T> prepare) {
        return prepare(asked, threads, Precision.FP32, prepare);
    }

    /** As {@link #prepare(BackendKind, int, Function)}, the CPU it may hand over to computing at {@code precision}. */
    public <T> Prepared<T> prepare(BackendKind asked, int threads, Precision precision, Function<Backend, T> prepare) {
        try {
            return new Prepared<>(this, prepare.apply(backend));
        } catch (RuntimeException e) {
            backend.close();
            boolean deviceGaveUp =
                    e instanceof SparseInferException s && s.code() == SparseInferException.Code.BACKEND_UNAVAILABLE;
            if (asked != BackendKind.AUTO || !deviceGaveUp) {
                throw e;
            }
            return onCpu(threads, precision, e.getMessage()).prepare(BackendKind.CPU, threads, precision, prepare);
        }
    }

    /** A model prepared on the backend of {@code selection}. */
    public record Prepared<T>(BackendSelection selection, T model) {}

    /** The CPU backend in place of a device, saying why, and what the CPU backend itself has to say, in one line. */
    private static BackendSelection onCpu(int threads, Precision precision, String why) {
        CpuBackend cpu = new CpuBackend(threads, precision);
        return new BackendSelection(
                cpu,
                Optional.of(why + "; running on cpu"
                        + cpu.notice().map(n -> "; " + n).orElse("")));
    }

    /** A device backend, saying so in its notice where bf16 was asked for: devices run dense layers in fp32. */
    private static BackendSelection onDevice(Backend device, Precision precision) {
        if (precision == Precision.FP32) {
            return new BackendSelection(device, device.notice());
        }
        String line = device.name() + ": " + BF16_ON_DEVICE;
        return new BackendSelection(
                device, Optional.of(device.notice().map(n -> n + "; " + line).orElse(line)));
    }
}
