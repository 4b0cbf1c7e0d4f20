package dev.sparseinfer.engine.backend.cpu;

import dev.sparseinfer.engine.backend.ActivationFunction;

/**
 * What the native layers share: weights packed in panels of {@link #PANEL} outputs, bounds checked before the
 * kernel runs (it trusts them), the kernel writing pre-activation sums straight into the output array through the
 * calling thread's {@link NativeScratch}, and the activation applied after.
 */
abstract class NativePanelLinear implements CpuLinear {

    /** Outputs per packed panel (native-cpu's {@code PANEL}): a thread's share starts on one. */
    static final int PANEL = 64;

    final int out;
    final int in;

    NativePanelLinear(int out, int in) {
        this.out = out;
        this.in = in;
    }

    /** Runs the kernel: the sums plus bias of rows {@code [0, rows)} and outputs {@code [outFrom, outTo)}. */
    abstract void run(NativeScratch scratch, float[] x, int rows, int outFrom, int outTo, float[] y);

    @Override
    public final int outFeatures() {
        return out;
    }

    @Override
    public final int inFeatures() {
        return in;
    }

    @Override
    public final int outputAlignment() {
        return PANEL;
    }

    @Override
    public final void compute(float[] x, int rows, int outFrom, int outTo, ActivationFunction activation, float[] y) {
        // The kernel trusts these bounds: check them here, where a bad one is an exception rather than a crash.
        if ((long) rows * in > x.length || (long) rows * out > y.length || outFrom < 0 || outTo > out) {
            throw new IllegalArgumentException("a [" + out + ", " + in + "] layer cannot read " + rows + " rows from "
                    + x.length + " floats into " + y.length + " for outputs " + outFrom + ".." + outTo);
        }
        run(NativeScratch.ofThisThread(), x, rows, outFrom, outTo, y);
        int to = Math.min(outTo, out);
        for (int r = 0; r < rows; r++) {
            VectorEpilogue.apply(y, r * out + outFrom, to - outFrom, activation);
        }
    }
}
