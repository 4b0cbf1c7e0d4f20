package dev.sparseinfer.engine.io.packed;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.io.safetensors.SafetensorsFile;
import dev.sparseinfer.engine.io.safetensors.Sha256;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SHA-256 of every tensor that a packed file records under {@link #KEY}, checked against the tensors' bytes.
 * Files written before digests were recorded have none: they load as before, and {@link Report#recorded()} says
 * there was nothing to check. A file that records digests must record one for every tensor, so a tensor cannot be
 * slipped in unchecked.
 */
public final class TensorDigests {

    public static final String KEY = "sparseinfer.sha256";

    /**
     * The outcome of a check.
     *
     * @param recorded   whether the file records digests at all
     * @param checked    how many tensors were hashed and compared
     * @param mismatched the tensors whose bytes differ from their recorded digest, in file order
     */
    public record Report(boolean recorded, int checked, List<String> mismatched) {

        public Report {
            mismatched = List.copyOf(mismatched);
        }

        /** Refuses a file with a mismatch, naming the first tensor at fault. */
        public void requireIntact(SafetensorsFile file) {
            if (!mismatched.isEmpty()) {
                String others = mismatched.size() == 1 ? "" : " (and " + (mismatched.size() - 1) + " more)";
                throw SparseInferException.invalidModel(file.path() + ": tensor '" + mismatched.getFirst()
                        + "' does not match its recorded SHA-256" + others + "; the file is corrupt");
            }
        }
    }

    private TensorDigests() {}

    /** Hashes every tensor of a file that records digests; a malformed digest table is a bad model. */
    public static Report check(SafetensorsFile file) {
        String json = file.metadata().get(KEY);
        if (json == null) {
            return new Report(false, 0, List.of());
        }
        Map<String, String> recorded = parse(file, json);
        for (String name : file.tensors().keySet()) {
            if (!recorded.containsKey(name)) {
                throw invalid(file, "tensor '" + name + "' has no recorded SHA-256");
            }
        }
        List<String> mismatched = new ArrayList<>();
        for (Map.Entry<String, String> e : recorded.entrySet()) {
            if (!file.has(e.getKey())) {
                throw invalid(
                        file, "a SHA-256 is recorded for tensor '" + e.getKey() + "', which the file does not hold");
            }
            if (!Sha256.hex(file.bytes(e.getKey())).equals(e.getValue())) {
                mismatched.add(e.getKey());
            }
        }
        return new Report(true, recorded.size(), mismatched);
    }

    private static Map<String, String> parse(SafetensorsFile file, String json) {
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (RuntimeException e) {
            throw invalid(file, KEY + " is not JSON");
        }
        if (!root.isJsonObject()) {
            throw invalid(file, KEY + " is not a JSON object");
        }
        Map<String, String> digests = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : ((JsonObject) root).entrySet()) {
            JsonElement v = e.getValue();
            String hex = v.isJsonPrimitive() && v.getAsJsonPrimitive().isString() ? v.getAsString() : "";
            if (hex.length() != Sha256.HEX_LENGTH
                    || !hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                throw invalid(file, KEY + " entry for tensor '" + e.getKey() + "' is not 64 lowercase hex digits");
            }
            digests.put(e.getKey(), hex);
        }
        return digests;
    }

    private static SparseInferException invalid(SafetensorsFile file, String problem) {
        return SparseInferException.invalidModel(file.path() + ": " + problem);
    }
}
