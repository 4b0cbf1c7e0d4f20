package dev.sparseinfer.engine.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.api.Precision;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.backend.cpu.CpuBackend;
import dev.sparseinfer.engine.model.bert.BertEncoder;
import dev.sparseinfer.engine.model.bert.BertWeights;
import dev.sparseinfer.engine.testing.RandomBert;
import dev.sparseinfer.engine.testing.Seeds;
import dev.sparseinfer.engine.testing.TinyBert;
import dev.sparseinfer.engine.testing.TinyMpNet;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendSelectionTest {

    private static final String MISSING = "cuda: kernels not built (nvcc was not found when this build ran)";
    private static final DeviceProbe WITHOUT_KERNELS = DeviceProbe.missing(MISSING);

    @Test
    void cudaWithAPieceMissingFailsWithThatPieceAsTheMessage() {
        SparseInferException e = assertThrows(
                SparseInferException.class, () -> BackendSelection.select(BackendKind.CUDA, 1, () -> WITHOUT_KERNELS));
        assertEquals(SparseInferException.Code.BACKEND_UNAVAILABLE, e.code());
        assertEquals(MISSING, e.getMessage());
    }

    @Test
    void autoFallsBackToTheCpuAndSaysWhy() {
        BackendSelection selection = BackendSelection.select(BackendKind.AUTO, 1, () -> WITHOUT_KERNELS);
        try (Backend backend = selection.backend()) {
            assertEquals("cpu", backend.name());
            assertEquals(Optional.of(MISSING + "; running on cpu"), selection.notice());
        }
    }

    @Test
    void autoFallsBackWhenTheDeviceWillNotOpenButCudaSaysWhy() {
        String failure = "cuda: out of device memory allocating 90.0 MiB for encoder.layer.0.query weights";
        DeviceProbe failing = DeviceProbe.ready(() -> {
            throw new SparseInferException(SparseInferException.Code.BACKEND_UNAVAILABLE, failure);
        });
        BackendSelection selection = BackendSelection.select(BackendKind.AUTO, 1, () -> failing);
        try (Backend backend = selection.backend()) {
            assertEquals("cpu", backend.name());
            assertEquals(Optional.of(failure + "; running on cpu"), selection.notice());
        }
        SparseInferException e = assertThrows(
                SparseInferException.class, () -> BackendSelection.select(BackendKind.CUDA, 1, () -> failing));
        assertEquals(failure, e.getMessage());
    }

    @Test
    void autoAndCudaOpenTheCudaBackendWhenEverythingIsThere() {
        for (BackendKind kind : List.of(BackendKind.AUTO, BackendKind.CUDA)) {
            try (Backend standIn = new CpuBackend(1)) {
                BackendSelection selection = BackendSelection.select(kind, 1, () -> DeviceProbe.ready(() -> standIn));
                assertSame(standIn, selection.backend());
                assertEquals(Optional.empty(), selection.notice());
            }
        }
    }

    /** A device runs dense layers in fp32 whatever the precision, and says so; the CPU it falls back to takes it. */
    @Test
    void bf16GoesToTheCpuBackendAndADeviceSaysItRunsFp32() {
        try (Backend standIn = new CpuBackend(1)) {
            BackendSelection selection = BackendSelection.select(
                    BackendKind.CUDA, 1, Precision.BF16, () -> DeviceProbe.ready(() -> standIn));
            assertEquals(
                    Optional.of(standIn.name() + ": bf16 precision is for the cpu backend, dense layers run fp32"),
                    selection.notice());
        }
        BackendSelection fallback = BackendSelection.select(BackendKind.AUTO, 1, Precision.BF16, () -> WITHOUT_KERNELS);
        try (Backend cpu = fallback.backend()) {
            boolean bf16 = cpu.description().contains("avx512-bf16 linear");
            boolean refused = fallback.notice().orElse("").contains("bf16 precision refused");
            assertEquals(!bf16, refused, cpu.description() + " / " + fallback.notice());
        }
    }

    @Test
    void aDeviceThatCannotHoldTheModelHandsItToTheCpuUnderAutoOnly() {
        String full = "cuda: out of device memory allocating 44.7 MiB for embedding table";
        for (BackendKind kind : List.of(BackendKind.AUTO, BackendKind.CUDA)) {
            try (Backend device = new CpuBackend(1)) {
                BackendSelection selected = BackendSelection.select(kind, 1, () -> DeviceProbe.ready(() -> device));
                List<Backend> triedOn = new ArrayList<>();
                java.util.function.Function<Backend, String> prepare = backend -> {
                    triedOn.add(backend);
                    if (backend == device) {
                        throw new SparseInferException(SparseInferException.Code.BACKEND_UNAVAILABLE, full);
                    }
                    return "prepared on " + backend.name();
                };
                if (kind == BackendKind.CUDA) {
                    SparseInferException e =
                            assertThrows(SparseInferException.class, () -> selected.prepare(kind, 1, prepare));
                    assertEquals(full, e.getMessage());
                    assertEquals(List.of(device), triedOn);
                    continue;
                }
                BackendSelection.Prepared<String> prepared = selected.prepare(kind, 1, prepare);
                try (Backend cpu = prepared.selection().backend()) {
                    assertEquals(2, triedOn.size());
                    assertSame(cpu, triedOn.get(1));
                    assertNotSame(device, cpu);
                    assertEquals("prepared on cpu", prepared.model());
                    assertEquals(
                            Optional.of(full + "; running on cpu"),
                            prepared.selection().notice());
                }
            }
        }
    }

    /** A device backend that has everything but a relative position bias, and is never asked for anything else. */
    @Test
    void aModelWithARelativePositionBiasRunsOnTheCpuUnderAutoWhenTheDeviceLacksIt(@TempDir Path dir) {
        BertWeights mpnet = TinyMpNet.write(dir, "", 32, 3).encoder();
        String lacks = "cuda: attention with a relative position bias (MPNet) is not implemented on this backend";
        for (BackendKind kind : List.of(BackendKind.AUTO, BackendKind.CUDA)) {
            Backend device = withoutRelativePositionBias();
            BackendSelection selected = BackendSelection.select(kind, 1, () -> DeviceProbe.ready(() -> device));
            if (kind == BackendKind.CUDA) {
                SparseInferException e = assertThrows(
                        SparseInferException.class,
                        () -> selected.prepare(kind, 1, backend -> new BertEncoder(mpnet, backend)));
                assertEquals(lacks, e.getMessage());
                continue;
            }
            BackendSelection.Prepared<BertEncoder> prepared =
                    selected.prepare(kind, 1, backend -> new BertEncoder(mpnet, backend));
            try (Backend cpu = prepared.selection().backend()) {
                assertEquals("cpu", cpu.name());
                assertEquals(
                        Optional.of(lacks + "; running on cpu"),
                        prepared.selection().notice());
            }
        }
    }

    /** A backend named cuda that answers only its name, closing, and the default methods of {@link Backend}. */
    private static Backend withoutRelativePositionBias() {
        return (Backend) Proxy.newProxyInstance(
                Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (proxy, method, args) -> {
                    if (method.isDefault()) {
                        return InvocationHandler.invokeDefault(proxy, method, args);
                    }
                    return switch (method.getName()) {
                        case "name" -> "cuda";
                        case "close" -> null;
                        default -> throw new AssertionError(method.getName() + " was called before the bias");
                    };
                });
    }

    @Test
    void otherFailuresWhilePreparingAreNotHiddenByAFallback() {
        try (Backend device = new CpuBackend(1)) {
            BackendSelection selected =
                    BackendSelection.select(BackendKind.AUTO, 1, () -> DeviceProbe.ready(() -> device));
            SparseInferException e = assertThrows(
                    SparseInferException.class,
                    () -> selected.prepare(BackendKind.AUTO, 1, backend -> {
                        throw SparseInferException.invalidModel("layer 3: 2:4 has 7 values for 4 groups");
                    }));
            assertEquals(SparseInferException.Code.INVALID_MODEL, e.code());
        }
    }

    @Test
    void withoutTheCudaModuleAutoRunsOnTheCpuAndSaysSoInOneLine() {
        assertEquals(
                Optional.of(BackendSelection.NOT_IN_BUILD),
                BackendSelection.probeDevice().missing());
        BackendSelection selection = BackendSelection.select(BackendKind.AUTO, 1);
        try (Backend backend = selection.backend()) {
            assertEquals("cpu", backend.name());
            assertEquals(Optional.of(BackendSelection.NOT_IN_BUILD + "; running on cpu"), selection.notice());
        }
    }

    @Test
    void onThisMachineAutoGivesTheCpuBackendTheSameEmbeddingsBitForBit() {
        DeviceProbe here = BackendSelection.probeDevice();
        Assumptions.assumeFalse(here.available(), "this machine can run the CUDA backend");
        long seed = Seeds.fresh();
        Random random = new Random(seed);
        BertWeights weights = RandomBert.weights(TinyBert.CONFIG, random);
        int[][] ids = {{1, 7, 2}, {1, 2}, {1, 4, 9, 9, 11, 3, 2}};
        int[][] types = {{0, 0, 0}, {0, 1}, {0, 0, 0, 1, 1, 1, 1}};
        BackendSelection auto = BackendSelection.select(BackendKind.AUTO, 2);
        assertEquals(Optional.of(here.missing().get() + "; running on cpu"), auto.notice());
        try (Backend autoBackend = auto.backend();
                Backend cpu = BackendSelection.select(BackendKind.CPU, 2).backend()) {
            float[][] expected = new BertEncoder(weights, cpu).forward(TokenBatch.pack(ids, types), Pooling.MEAN, true);
            float[][] actual =
                    new BertEncoder(weights, autoBackend).forward(TokenBatch.pack(ids, types), Pooling.MEAN, true);
            for (int s = 0; s < ids.length; s++) {
                assertArrayEquals(expected[s], actual[s], "sequence " + s + " (seed=" + seed + ")");
            }
        }
    }
}
