package dev.sparseinfer.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.sparseinfer.engine.api.SparseInferException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "compare",
        mixinStandardHelpOptions = true,
        header = "Compares two JSON results of the same kind (bench, demo or sweep), e.g. from two machines.",
        description =
                "For every result in both: the medians and B/A (below 1: B is faster), and the speedups over dense.")
final class BenchCompareCommand implements Callable<Integer> {

    /** Measured fields; every other field of a result names what was measured, and matches results across files. */
    private static final Set<String> MEASURED = Set.of(
            "median_ms",
            "p90_ms",
            "speedup",
            "cosine",
            "top10_agreement",
            "texts_per_s",
            "samples",
            "linear_bytes",
            "sparsity",
            "quality");

    @Parameters(index = "0", paramLabel = "A.json", description = "The baseline results.")
    Path a;

    @Parameters(index = "1", paramLabel = "B.json", description = "The results to compare with it.")
    Path b;

    @Mixin
    VerboseOption verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        JsonObject first = read(a);
        JsonObject second = read(b);
        String kindA = kind(first);
        String kindB = kind(second);
        if (!kindA.equals(kindB)) {
            throw SparseInferException.invalidArgument(
                    "cannot compare " + kindA + " results (" + a + ") with " + kindB + " results (" + b + ")");
        }
        Map<String, JsonObject> left = byIdentity(first, a);
        Map<String, JsonObject> right = byIdentity(second, b);
        PrintWriter out = spec.commandLine().getOut();
        out.println("A: " + a + ": " + first.get("machine"));
        out.println("B: " + b + ": " + second.get("machine"));
        out.printf(
                Locale.ROOT,
                "%-56s %11s %11s %8s %10s %10s%n",
                "result",
                "A median ms",
                "B median ms",
                "B/A",
                "A speedup",
                "B speedup");
        int matched = 0;
        for (Map.Entry<String, JsonObject> e : left.entrySet()) {
            JsonObject r = right.get(e.getKey());
            if (r == null) {
                out.printf(Locale.ROOT, "%-56s only in A%n", e.getKey());
                continue;
            }
            matched++;
            double ma = number(e.getValue(), "median_ms", a);
            double mb = number(r, "median_ms", b);
            out.printf(
                    Locale.ROOT,
                    "%-56s %11.4f %11.4f %7.2fx %9.2fx %9.2fx%n",
                    e.getKey(),
                    ma,
                    mb,
                    mb / ma,
                    number(e.getValue(), "speedup", a),
                    number(r, "speedup", b));
        }
        right.keySet().stream()
                .filter(k -> !left.containsKey(k))
                .forEach(k -> out.printf(Locale.ROOT, "%-56s only in B%n", k));
        out.printf(Locale.ROOT, "%d result(s) in both; B/A < 1 means B is faster%n", matched);
        out.flush();
        return 0;
    }

    private static JsonObject read(Path file) {
        try {
            JsonElement e = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            if (!e.isJsonObject()
                    || !e.getAsJsonObject().has("results")
                    || !e.getAsJsonObject().get("results").isJsonArray()) {
                throw SparseInferException.invalidArgument(
                        file + " is not a SparseInfer results file (no \"results\" array)");
            }
            return e.getAsJsonObject();
        } catch (IOException e) {
            throw SparseInferException.invalidArgument(
                    "cannot read " + file + ": " + e.getClass().getSimpleName());
        } catch (JsonParseException | IllegalStateException e) {
            throw SparseInferException.invalidArgument(file + " is not valid JSON");
        }
    }

    /** Files written before results had a kind are plain bench results. */
    private static String kind(JsonObject o) {
        return o.has("kind") ? o.get("kind").getAsString() : "bench";
    }

    private static Map<String, JsonObject> byIdentity(JsonObject root, Path file) {
        Map<String, JsonObject> results = new LinkedHashMap<>();
        for (JsonElement e : root.getAsJsonArray("results")) {
            if (!e.isJsonObject()) {
                throw SparseInferException.invalidArgument(file + ": a result is not an object");
            }
            StringBuilder id = new StringBuilder();
            for (Map.Entry<String, JsonElement> f : e.getAsJsonObject().entrySet()) {
                if (!MEASURED.contains(f.getKey())) {
                    id.append(id.isEmpty() ? "" : " ")
                            .append(
                                    f.getValue().isJsonPrimitive()
                                            ? f.getValue().getAsString()
                                            : f.getValue());
                }
            }
            results.put(id.toString(), e.getAsJsonObject());
        }
        return results;
    }

    private static double number(JsonObject result, String field, Path file) {
        JsonElement e = result.get(field);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw SparseInferException.invalidArgument(file + ": a result has no number \"" + field + "\"");
        }
        return e.getAsDouble();
    }
}
