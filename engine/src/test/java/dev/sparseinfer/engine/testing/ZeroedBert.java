package dev.sparseinfer.engine.testing;

import dev.sparseinfer.engine.format.FloatTensor;
import dev.sparseinfer.engine.io.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * A Hugging Face directory of {@link TinyBert#CONFIG} with random weights, stored dense fp32, whose linear weights
 * have zeros put in them as a pruner elsewhere would leave them; with {@link TinyTokenizer}'s tokenizer.
 */
public final class ZeroedBert {

    /** Puts zeros into one {@code [out, in]} row-major linear weight, in place. */
    public interface Zeros {
        void apply(String name, float[] weight, int out, int in);
    }

    private ZeroedBert() {}

    public static void write(Path directory, long seed, Zeros zeros) {
        Map<String, FloatTensor> tensors = RandomBert.tensors(TinyBert.CONFIG, new Random(seed));
        SafetensorsWriter out = new SafetensorsWriter().metadata("format", "pt");
        for (FloatTensor t : tensors.values()) {
            if (t.name().startsWith("encoder.") && t.name().endsWith(".weight") && t.rank() == 2) {
                zeros.apply(t.name(), t.data(), t.shape()[0], t.shape()[1]);
            }
            out.addF32(t.name(), t.shape(), t.data());
        }
        try {
            Files.createDirectories(directory);
            Files.writeString(directory.resolve("config.json"), TinyBert.configJson(TinyBert.CONFIG));
            Files.writeString(directory.resolve("tokenizer.json"), TinyTokenizer.json());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write(directory.resolve("model.safetensors"));
    }

    /** Magnitude 2:4: the 2 smallest of every group of 4 consecutive inputs become zero. */
    public static void twoFour(String name, float[] w, int out, int in) {
        for (int base = 0; base < w.length; base += 4) {
            int smallest = base;
            int second = base + 1;
            if (Math.abs(w[second]) < Math.abs(w[smallest])) {
                smallest = base + 1;
                second = base;
            }
            for (int j = base + 2; j < base + 4; j++) {
                if (Math.abs(w[j]) < Math.abs(w[smallest])) {
                    second = smallest;
                    smallest = j;
                } else if (Math.abs(w[j]) < Math.abs(w[second])) {
                    second = j;
                }
            }
            w[smallest] = 0f;
            w[second] = 0f;
        }
    }

    /** Each row keeps only its first 3 inputs: at least 75% zeros, and its first group breaks 2:4. */
    public static void firstThreePerRow(String name, float[] w, int out, int in) {
        for (int o = 0; o < out; o++) {
            for (int i = 3; i < in; i++) {
                w[o * in + i] = 0f;
            }
        }
    }
}
