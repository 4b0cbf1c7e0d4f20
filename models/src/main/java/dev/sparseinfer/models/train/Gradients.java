package dev.sparseinfer.models.train;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a backward pass adds the parameters' gradients: into the parameters' own arrays ({@link #OWN}), or into a
 * shard's buffers ({@link Buffers}) that are summed into them once every shard of the step is done.
 */
@FunctionalInterface
interface Gradients {

    /** The parameters' own gradient arrays. */
    Gradients OWN = Parameter::grad;

    /** The array {@code p}'s gradient is added to. */
    float[] of(Parameter p);

    /** A gradient array for each parameter, separate from the parameters' own. */
    final class Buffers implements Gradients {

        private final List<Parameter> parameters;
        private final Map<Parameter, float[]> arrays = new IdentityHashMap<>();

        Buffers(List<Parameter> parameters) {
            this.parameters = List.copyOf(parameters);
            for (Parameter p : parameters) {
                arrays.put(p, new float[p.value().length]);
            }
        }

        @Override
        public float[] of(Parameter p) {
            float[] a = arrays.get(p);
            if (a == null) {
                throw new IllegalArgumentException(p.name() + " has no gradient buffer here");
            }
            return a;
        }

        void clear() {
            for (float[] a : arrays.values()) {
                Arrays.fill(a, 0f);
            }
        }

        /** Adds every buffer into its parameter's own gradient, element by element on {@code parallel}'s threads. */
        void addToParameters(Parallel parallel) {
            for (Parameter p : parameters) {
                float[] from = arrays.get(p);
                float[] into = p.grad();
                parallel.range(into.length, (start, end) -> {
                    for (int i = start; i < end; i++) {
                        into[i] += from[i];
                    }
                });
            }
        }
    }
}
