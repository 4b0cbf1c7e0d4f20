package dev.sparseinfer.server;

import java.util.Locale;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/** A Prometheus histogram: counts per upper bound, written cumulatively with the sum and count. */
final class Histogram {

    private final double[] bounds;
    private final LongAdder[] counts;
    private final DoubleAdder sum = new DoubleAdder();

    Histogram(double... bounds) {
        this.bounds = bounds.clone();
        this.counts = new LongAdder[bounds.length + 1];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    void observe(double value) {
        int i = 0;
        while (i < bounds.length && value > bounds[i]) {
            i++;
        }
        counts[i].increment();
        sum.add(value);
    }

    /** The histogram's lines, {@code labels} (e.g. {@code model="minilm"}, or empty) on each. */
    void write(StringBuilder out, String name, String labels) {
        String sep = labels.isEmpty() ? "" : ",";
        long cumulative = 0;
        for (int i = 0; i < counts.length; i++) {
            cumulative += counts[i].sum();
            String le = i < bounds.length ? format(bounds[i]) : "+Inf";
            out.append(name)
                    .append("_bucket{")
                    .append(labels)
                    .append(sep)
                    .append("le=\"")
                    .append(le)
                    .append("\"} ")
                    .append(cumulative)
                    .append('\n');
        }
        String braces = labels.isEmpty() ? "" : "{" + labels + "}";
        out.append(name)
                .append("_sum")
                .append(braces)
                .append(' ')
                .append(format(sum.sum()))
                .append('\n');
        out.append(name)
                .append("_count")
                .append(braces)
                .append(' ')
                .append(cumulative)
                .append('\n');
    }

    static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%s", v);
    }
}
