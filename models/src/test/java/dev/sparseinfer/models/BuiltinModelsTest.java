package dev.sparseinfer.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparseinfer.engine.api.Pooling;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class BuiltinModelsTest {

    @Test
    void everyNameAndAliasStandsForOneModel() {
        Set<String> seen = new HashSet<>();
        for (BuiltinModel m : BuiltinModels.ALL) {
            for (String name : concat(m.name(), m.aliases())) {
                assertTrue(seen.add(name), name + " is used twice");
                assertEquals(Optional.of(m), ModelRegistry.builtin(name));
            }
        }
    }

    @Test
    void everyFileHasAFullSha256() {
        for (BuiltinModel m : BuiltinModels.ALL) {
            for (PackagedFile f : List.of(m.onnx(), m.tokenizer())) {
                assertTrue(f.sha256().matches("[0-9a-f]{64}"), m.name() + " " + f.resource() + ": " + f.sha256());
                assertTrue(f.bytes() > 0, f.resource());
            }
        }
    }

    @Test
    void poolingIsTheFamilysAndEveryModelNormalizes() {
        Map<String, Pooling> byFamily = Map.of("all-minilm", Pooling.MEAN, "bge", Pooling.CLS, "e5", Pooling.MEAN);
        for (BuiltinModel m : BuiltinModels.ALL) {
            Pooling expected = byFamily.entrySet().stream()
                    .filter(e -> m.name().startsWith(e.getKey()))
                    .map(Map.Entry::getValue)
                    .findFirst()
                    .orElseThrow();
            assertEquals(expected, m.recipe().pooling(), m.name());
            assertTrue(m.recipe().normalize(), m.name());
            assertEquals(Optional.empty(), m.recipe().defaultPrompt(), m.name() + " applies no prompt unasked");
        }
    }

    @Test
    void e5AndBgeCarryTheirPrompts() {
        assertEquals(Optional.of("query: "), BuiltinModels.E5_SMALL_V2.recipe().prompt("query"));
        assertEquals(
                Optional.of("passage: "), BuiltinModels.E5_SMALL_V2_Q.recipe().prompt("passage"));
        assertEquals(
                Optional.of("Represent this sentence for searching relevant passages: "),
                BuiltinModels.BGE_SMALL_EN_V15.recipe().prompt("query"));
        assertTrue(BuiltinModels.ALL_MINILM_L6_V2.recipe().prompts().isEmpty());
    }

    @Test
    void exactlyTheDashQModelsAreInt8Exports() {
        for (BuiltinModel m : BuiltinModels.ALL) {
            assertEquals(m.name().endsWith("-q"), m.onnxRuntimeInt8(), m.name());
            if (m.onnxRuntimeInt8()) {
                BuiltinModel fp32 = ModelRegistry.builtin(
                                m.name().substring(0, m.name().length() - 2))
                        .orElseThrow();
                assertEquals(fp32.dimension(), m.dimension(), m.name());
                assertEquals(
                        fp32.tokenizer().sha256(),
                        m.tokenizer().sha256(),
                        m.name() + " tokenizes as its fp32 model does");
                assertNotEquals(fp32.onnx().sha256(), m.onnx().sha256(), m.name());
            }
        }
    }

    @Test
    void miniLmIsServedFromTheClassPathSoTestsAndBuildsStayOffline() {
        ModelRegistry.Availability a = TestModels.registry().availability(ModelRegistry.MINILM);

        assertTrue(a == ModelRegistry.Availability.CLASS_PATH || a == ModelRegistry.Availability.CACHED, a.toString());
    }

    private static List<String> concat(String first, List<String> rest) {
        return Stream.concat(Stream.of(first), rest.stream()).toList();
    }
}
