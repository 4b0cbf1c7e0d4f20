package dev.sparseinfer.bench.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.sparseinfer.cuda.CudaAvailability;
import dev.sparseinfer.cuda.CudaProbe;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class GpuKernelBenchmarkTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return GpuKernelBenchmark.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private List<String> errLines() {
        return err.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void withoutAGpuItExitsOneWithTheProbesLine() {
        CudaAvailability probe = CudaProbe.system();
        Assumptions.assumeFalse(probe.available(), "this machine has a usable GPU");
        assertEquals(1, run("--quick", "--json", "unused.json"));
        assertEquals(List.of(probe.reason()), errLines());
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void badArgumentsExitTwoWithTheUsage() {
        assertEquals(2, run("--fast"));
        assertEquals(1, errLines().size());
        assertTrue(
                errLines().getFirst().contains("usage: GpuKernelBenchmark [--quick] [--json FILE]"),
                errLines().getFirst());
        assertEquals(2, run("--json"));
    }

    @Test
    void medianOfEvenAndOddCounts() {
        assertEquals(2.0, GpuKernelBenchmark.median(new double[] {3, 1, 2}));
        assertEquals(2.5, GpuKernelBenchmark.median(new double[] {4, 1, 3, 2}));
    }

    @Test
    void resultsBecomeDenseEquivalentRatesInTheJson() {
        GpuKernelBenchmark.Result r = new GpuKernelBenchmark.Result("2:4", 4096, 4096, 2048, 0.5, 1L << 24);
        JsonObject json = JsonParser.parseString(GpuKernelBenchmark.json("H100", 3000.0, List.of(r)))
                .getAsJsonObject();
        JsonObject row = json.getAsJsonArray("results").get(0).getAsJsonObject();
        assertEquals(
                2.0 * 2048 * 4096 * 4096 / 0.5e-3 / 1e12,
                row.get("dense_equivalent_tflops").getAsDouble(),
                1e-9);
        assertEquals(
                ((1L << 24) + 4.0 * 2048 * 4096 * 2) / 0.5e-3 / 1e9,
                row.get("gb_per_s").getAsDouble(),
                1e-6);
        assertEquals(3000.0, json.get("copy_gb_per_s").getAsDouble());
        assertEquals(GpuKernelBenchmark.RUNS, json.get("runs").getAsInt());
    }
}
