package dev.sparseinfer.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.kernels.KernelName;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every launch the backend issues, recorded instead of run: argument kinds and the geometry each kernel expects. */
class DeviceKernelsTest {

    private record Launch(KernelName kernel, LaunchGeometry geometry, KernelArguments arguments) {}

    private final List<Launch> launches = new ArrayList<>();
    private final DeviceKernels kernels = new DeviceKernels((kernel, geometry, arguments) -> {
        KernelSignatures.check(kernel, arguments);
        launches.add(new Launch(kernel, geometry, arguments));
    });

    @Test
    void everyKernelIsLaunchedWithItsDeclaredArguments() {
        kernels.toHalfPadded(1, 2, 7, 13, 32);
        kernels.biasActivation(1, 2, 3, 4, 7, 13, true);
        kernels.embed(1, 2, 3, 4, 5, 6, 7, 17, 384);
        kernels.addLayerNorm(1, 0, 3, 4, 1, 17, 384, 1e-12f);
        kernels.pool(1, 2, 3, 4, 3, 384, Pooling.CLS, true);
        kernels.attention(1, 2, 3, 4, 5, 6, 17, 12, 384, 32, 9, 0.17f);
        kernels.twoFour(KernelName.TWOFOUR_GEMM, 1, 2, 3, 4, 0, 0, 5, 129, 1536, 96, 12, true);
        kernels.twoFour(KernelName.TWOFOUR_SMALL_N, 1, 2, 3, 4, 6, 7, 5, 7, 1536, 96, 12, false);
        kernels.quantizeRows(1, 2, 3, 17, 383, 384);
        kernels.quantizeRowsToHalves(1, 2, 3, 17, 383, 384);
        kernels.int8Gemm(1, 2, 3, 4, 5, 6, 17, 1536, 96, true);
        Set<KernelName> launched = EnumSet.noneOf(KernelName.class);
        launches.forEach(l -> launched.add(l.kernel()));
        assertEquals(EnumSet.allOf(KernelName.class), launched);
    }

    @Test
    void rowKernelsRunOneBlockPerRowWithTheRowInSharedMemory() {
        kernels.addLayerNorm(1, 2, 3, 4, 5, 17, 384, 1e-12f);
        kernels.pool(1, 2, 3, 4, 3, 384, Pooling.LAST_TOKEN, false);
        assertEquals(new LaunchGeometry(17, 1, 256, 384 * 4), launches.get(0).geometry());
        assertEquals(new LaunchGeometry(3, 1, 256, 384 * 4), launches.get(1).geometry());
        assertEquals(2L, launches.get(0).arguments().values().getLong(8), "residual is the second argument");
    }

    @Test
    void attentionRunsABlockPerTokenAndHeadWithRoomForTheLongestSequence() {
        kernels.attention(1, 2, 3, 4, 5, 6, 17, 12, 384, 32, 9, 0.17f);
        assertEquals(
                new LaunchGeometry(17, 12, 128, (32 + 9) * 4),
                launches.getFirst().geometry());
        assertThrows(
                SparseInferException.class,
                () -> kernels.attention(1, 2, 3, 4, 5, 6, 20_000, 12, 384, 32, 20_000, 0.17f));
    }

    @Test
    void twoFourGemmTilesSixtyFourOutputsBySixtyFourTokens() {
        kernels.twoFour(KernelName.TWOFOUR_GEMM, 1, 2, 3, 4, 0, 0, 5, 129, 1530, 96, 12, true);
        assertEquals(new LaunchGeometry(24, 3, 128, 0), launches.getFirst().geometry());
        kernels.twoFour(KernelName.TWOFOUR_SMALL_N, 1, 2, 3, 4, 0, 0, 5, 16, 1530, 96, 12, true);
        assertEquals(new LaunchGeometry(96, 1, 128, 0), launches.get(1).geometry());
        assertThrows(
                IllegalArgumentException.class,
                () -> kernels.twoFour(KernelName.INT8_GEMM, 1, 2, 3, 4, 0, 0, 5, 1, 16, 1, 1, false));
    }

    @Test
    void int8GemmTilesThirtyTwoByThirtyTwo() {
        kernels.int8Gemm(1, 2, 3, 4, 5, 6, 33, 100, 25, false);
        assertEquals(new LaunchGeometry(4, 2, 256, 0), launches.getFirst().geometry());
    }

    @Test
    void elementwiseKernelsCoverLargeTensorsWithABoundedGrid() {
        kernels.biasActivation(1, 2, 0, 0, 2048, 4096, false);
        kernels.toHalfPadded(1, 2, 1, 3, 8);
        assertEquals(4096, launches.get(0).geometry().gridX());
        assertEquals(1, launches.get(1).geometry().gridX());
    }

    @Test
    void argumentsThatDoNotMatchTheDeclarationAreRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> KernelSignatures.check(
                        KernelName.EMBED, new KernelArguments().pointer(1).integer(2)));
    }
}
