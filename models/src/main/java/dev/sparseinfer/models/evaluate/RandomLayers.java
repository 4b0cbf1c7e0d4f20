package dev.sparseinfer.models.evaluate;

import dev.sparseinfer.engine.format.CsrInt8Weights;
import dev.sparseinfer.engine.format.CsrWeights;
import dev.sparseinfer.engine.format.DenseWeights;
import dev.sparseinfer.engine.format.FloatMatrix;
import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.engine.format.Int8Weights;
import dev.sparseinfer.engine.format.LinearWeights;
import dev.sparseinfer.engine.format.TwoFourInt8Weights;
import dev.sparseinfer.engine.format.TwoFourWeights;
import java.util.Random;

/**
 * Random linear-layer weights in any format at an exact sparsity, for kernel benchmarks: a kernel's speed depends
 * on its format and how many weights it keeps, not on which ones, so Gaussian values at random kept positions stand
 * in for a pruned model's.
 */
public final class RandomLayers {

    private RandomLayers() {}

    /** One kernel configuration: CSR at a sparsity, 2:4, or dense, each in fp32 or w8a8. */
    public record Format(Kind kind, double sparsity, boolean int8) {

        public enum Kind {
            DENSE,
            CSR,
            TWO_FOUR
        }

        public static Format dense(boolean int8) {
            return new Format(Kind.DENSE, 0, int8);
        }

        public static Format csr(double sparsity, boolean int8) {
            return new Format(Kind.CSR, sparsity, int8);
        }

        public static Format twoFour(boolean int8) {
            return new Format(Kind.TWO_FOUR, 0.5, int8);
        }

        /** {@code dense}, {@code csr-90}, {@code 2:4}, {@code csr-90+w8a8}, {@code w8a8}, ... */
        public String label() {
            String base = switch (kind) {
                case DENSE -> int8 ? "" : "dense";
                case CSR -> "csr-" + Math.round(sparsity * 100);
                case TWO_FOUR -> "2:4";
            };
            return int8 ? (base.isEmpty() ? "w8a8" : base + "+w8a8") : base;
        }

        /** Parses {@link #label()}'s output. */
        public static Format parse(String label) {
            boolean int8 = label.endsWith("w8a8");
            String base = label.replace("+w8a8", "").replace("w8a8", "");
            if (base.isEmpty() || base.equals("dense")) {
                return dense(int8);
            }
            if (base.equals("2:4")) {
                return twoFour(int8);
            }
            if (base.startsWith("csr-")) {
                return csr(Integer.parseInt(base.substring(4)) / 100.0, int8);
            }
            throw new IllegalArgumentException("unknown format " + label);
        }
    }

    public static LinearWeights weights(Format format, Random random, int out, int in) {
        return switch (format.kind()) {
            case DENSE ->
                format.int8()
                        ? Int8Weights.quantize(matrix(random, out, in, 0), Int8Scheme.W8A8)
                        : new DenseWeights(matrix(random, out, in, 0));
            case CSR -> {
                CsrWeights csr = CsrWeights.fromDense(matrix(random, out, in, format.sparsity()));
                yield format.int8() ? CsrInt8Weights.quantize(csr, Int8Scheme.W8A8) : csr;
            }
            case TWO_FOUR -> {
                TwoFourWeights t = TwoFourWeights.fromDense(twoFour(random, out, in));
                yield format.int8() ? TwoFourInt8Weights.quantize(t, Int8Scheme.W8A8) : t;
            }
        };
    }

    /** Gaussian weights with exactly {@code round(sparsity * in)} zeros per row, at random positions. */
    public static FloatMatrix matrix(Random random, int out, int in, double sparsity) {
        float[] w = new float[out * in];
        int zeros = (int) Math.round(sparsity * in);
        int[] cols = new int[in];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                cols[i] = i;
                w[o * in + i] = (float) random.nextGaussian();
            }
            for (int z = 0; z < zeros; z++) {
                int pick = z + random.nextInt(in - z);
                int c = cols[pick];
                cols[pick] = cols[z];
                cols[z] = c;
                w[o * in + c] = 0f;
            }
        }
        return new FloatMatrix(out, in, w);
    }

    /** Two Gaussian weights at random positions in every group of four inputs. */
    public static FloatMatrix twoFour(Random random, int out, int in) {
        float[] w = new float[out * in];
        for (int o = 0; o < out; o++) {
            for (int g = 0; g + 3 < in; g += 4) {
                int a = random.nextInt(4);
                int b = (a + 1 + random.nextInt(3)) % 4;
                w[o * in + g + a] = (float) random.nextGaussian();
                w[o * in + g + b] = (float) random.nextGaussian();
            }
        }
        return new FloatMatrix(out, in, w);
    }
}
