package dev.sparseinfer.engine.backend.cpu;

import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.api.Precision;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.backend.ActivationFunction;
import dev.sparseinfer.engine.backend.Activations;
import dev.sparseinfer.engine.backend.Backend;
import dev.sparseinfer.engine.backend.PreparedLinear;
import dev.sparseinfer.engine.backend.PreparedNorm;
import dev.sparseinfer.engine.backend.PreparedTable;
import dev.sparseinfer.engine.backend.RelativePositionBias;
import dev.sparseinfer.engine.backend.TokenBatch;
import dev.sparseinfer.engine.format.CsrInt8Weights;
import dev.sparseinfer.engine.format.CsrWeights;
import dev.sparseinfer.engine.format.DenseWeights;
import dev.sparseinfer.engine.format.FloatTable;
import dev.sparseinfer.engine.format.Int8Scales;
import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.engine.format.Int8Weights;
import dev.sparseinfer.engine.format.LayerNormWeights;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.format.LinearWeights;
import dev.sparseinfer.engine.format.TwoFourInt8Weights;
import dev.sparseinfer.engine.format.TwoFourWeights;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Optional;

/**
 * Runs every op on the CPU with the kernels {@link CpuKernelProvider} chose for this JVM: Java (Vector API or scalar),
 * the native int8 kernels for w8a8 layers where they load, and, at {@link Precision#BF16}, the native bf16 kernel
 * for dense fp32 layers where this CPU has AVX-512 BF16.
 */
public final class CpuBackend implements Backend {

    /** How this backend runs 2:4 layers, in one line for reports that show 2:4 speeds measured here. */
    public static final String TWO_FOUR_KERNELS = "2:4 on cpu runs the dense kernels on the zero-filled weights (no 2:4"
            + " kernel beat them but for one or two tokens through a layer of 32 MiB or more): its speed is dense's,"
            + " its saving is in the file";

    private final CpuKernelSelection selection;
    private final CpuKernels kernels;
    private final ParallelFor parallel;
    /** Whether dense fp32 layers run on the native bf16 kernel. */
    private final boolean bf16;
    /** Why bf16 was asked for and refused, in one line, if it was. */
    private final Optional<String> bf16Refused;
    /** The native layers' packed weights, scales and biases: freed when the backend closes, not whenever GC runs. */
    private final Arena nativeMemory = Arena.ofShared();

    public CpuBackend(int threads) {
        this(threads, Precision.FP32);
    }

    public CpuBackend(int threads, Precision precision) {
        this(CpuKernelProvider.selection(), threads, precision);
    }

    /** With the kernels given, so tests can run the scalar ones on a JVM that has the Vector API. */
    public CpuBackend(CpuKernelSelection selection, int threads) {
        this(selection, threads, Precision.FP32);
    }

    /**
     * With the kernels given, and dense fp32 layers computed at {@code precision}: {@link Precision#BF16} where the
     * native bf16 kernel runs, fp32 with a {@link #notice} saying why where it does not.
     */
    public CpuBackend(CpuKernelSelection selection, int threads, Precision precision) {
        if (threads < 1) {
            throw SparseInferException.invalidArgument("--threads must be at least 1, got " + threads);
        }
        this.selection = selection;
        this.kernels = selection.kernels();
        this.parallel = new ParallelFor(threads);
        boolean asked = precision == Precision.BF16;
        this.bf16 = asked && selection.nativeBf16();
        this.bf16Refused = asked && !bf16
                ? Optional.of("cpu: bf16 precision refused, dense layers run fp32: "
                        + selection.bf16Unavailable().orElse("no native kernel"))
                : Optional.empty();
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String description() {
        String int8 = selection
                .nativeInt8()
                .map(isa -> ", native " + isa.label() + " int8")
                .orElse("");
        String dense = bf16 ? ", avx512-bf16 linear" : "";
        return "cpu (" + kernels.name() + int8 + dense + ", " + parallel.threads()
                + (parallel.threads() == 1 ? " thread)" : " threads)");
    }

    @Override
    public Optional<String> notice() {
        if (bf16Refused.isEmpty()) {
            return selection.notice();
        }
        return Optional.of(selection.notice().map(n -> n + "; ").orElse("") + bf16Refused.get());
    }

    /**
     * Packs a layer once for its kernel. Without the Vector API every format is expanded to dense and run by the
     * scalar kernels: slow, but the same numbers. 2:4 layers run the dense kernels on their zero-filled weights
     * (fp32, or int8 with the same scales), except one or two tokens through a layer too big for the cache
     * ({@link TwoFourOutputMajorLinear}): on AVX2 no 2:4 kernel reaches dense speed anywhere else
     * ({@code LinearKernelBenchmark}, format 2:4). Where the native int8 kernels load, w8a8 layers run them: dense,
     * 2:4 with its zeros filled in, and CSR down to {@link #NATIVE_DENSE_MIN_KEPT} of its weights kept. At bf16
     * precision dense fp32 layers run the native bf16 kernel, which keeps only its bf16 copy of the weights; every
     * other format runs as at fp32.
     */
    @Override
    public PreparedLinear prepare(Linear layer) {
        LinearWeights w = layer.weights();
        float[] b = layer.bias();
        int out = w.outFeatures();
        int in = w.inFeatures();
        if (!selection.vectorApi()) {
            return new ScalarDenseLinear(
                    out, in, w.toDense().data(), b, quantizesActivations(w), new ScalarCpuKernels());
        }
        return switch (w) {
            case DenseWeights d ->
                bf16
                        ? new NativeBf16Linear(nativeMemory, out, in, d.matrix().data(), b)
                        : new DenseLinear(out, in, d.matrix().data(), b);
            case CsrWeights c -> sparse(CompressedRows.of(c.pattern()), c.values(), layer);
            case TwoFourWeights t ->
                TwoFourOutputMajorLinear.pays(out, in)
                        ? new TwoFourOutputMajorLinear(t, b)
                        : new DenseLinear(out, in, t.toDense().data(), b);
            case Int8Weights q -> int8(out, in, q.values(), q.scales(), b);
            case CsrInt8Weights q ->
                runsDenseNative(q)
                        ? int8(out, in, denseValues(q), q.scales(), b)
                        : sparseInt8(CompressedRows.of(q.pattern()), q.values(), q.scales(), layer);
            case TwoFourInt8Weights q -> int8(out, in, q.denseValues(), q.scales(), b);
        };
    }

    /**
     * Dense int8 weights (or 2:4 ones with their zeros filled in: a CPU has no instruction that skips them): w8a8 on
     * the native int8 kernels where they run, everything else widened to fp32 in the Vector API kernels.
     */
    private CpuLinear int8(int out, int in, byte[] values, Int8Scales scales, float[] bias) {
        if (scales.scheme() == Int8Scheme.W8A8 && selection.nativeInt8().isPresent()) {
            return new NativeInt8Linear(
                    selection.nativeInt8().get(), nativeMemory, out, in, values, scales.scales(), bias);
        }
        return new Int8DenseLinear(out, in, values, scales.scales(), scales.scheme(), bias);
    }

    /**
     * A w8a8 CSR layer keeping at least this fraction of its weights runs the native dense int8 kernel on its
     * zero-filled weights: at MiniLM's shapes that beats the CSR kernels (fp32 or int8) at 90 % sparsity for 1 to 128
     * tokens, ties at 95 % and loses at 98 %, where CSR reads a tenth of the bytes.
     */
    static final double NATIVE_DENSE_MIN_KEPT = 0.05;

    private boolean runsDenseNative(CsrInt8Weights q) {
        long weights = (long) q.outFeatures() * q.inFeatures();
        return selection.nativeInt8().isPresent()
                && q.scales().scheme() == Int8Scheme.W8A8
                && q.values().length >= NATIVE_DENSE_MIN_KEPT * weights;
    }

    /** A CSR layer's int8 values at their places in a dense {@code [out, in]} matrix, zeros elsewhere. */
    private static byte[] denseValues(CsrInt8Weights q) {
        byte[] dense = new byte[Math.multiplyExact(q.outFeatures(), q.inFeatures())];
        int[] rowPtr = q.pattern().rowPtr();
        int[] colIdx = q.pattern().colIdx();
        for (int o = 0; o < q.outFeatures(); o++) {
            for (int k = rowPtr[o]; k < rowPtr[o + 1]; k++) {
                dense[o * q.inFeatures() + colIdx[k]] = q.values()[k];
            }
        }
        return dense;
    }

    private static boolean quantizesActivations(LinearWeights w) {
        Int8Scheme scheme = switch (w) {
            case Int8Weights q -> q.scales().scheme();
            case CsrInt8Weights q -> q.scales().scheme();
            case TwoFourInt8Weights q -> q.scales().scheme();
            case DenseWeights d -> null;
            case CsrWeights c -> null;
            case TwoFourWeights t -> null;
        };
        return scheme == Int8Scheme.W8A8;
    }

    private static CpuLinear sparse(CompressedRows rows, float[] values, Linear layer) {
        return CsrLinear.fp32(layer.outFeatures(), layer.inFeatures(), rows, values, layer.bias());
    }

    private static CpuLinear sparseInt8(CompressedRows rows, byte[] values, Int8Scales scales, Linear layer) {
        return CsrLinear.int8(
                layer.outFeatures(), layer.inFeatures(), rows, values, scales.scales(), scales.scheme(), layer.bias());
    }

    @Override
    public PreparedNorm prepare(LayerNormWeights norm) {
        return new CpuPrepared.Norm(norm.gamma(), norm.beta());
    }

    /** Keeps the table where it lies: rows are read from the mapped file as tokens look them up, never copied. */
    @Override
    public PreparedTable prepareTable(FloatTable table) {
        return new CpuPrepared.Table(table);
    }

    @Override
    public Activations allocate(int rows, int cols) {
        return new CpuActivations(rows, cols);
    }

    @Override
    public Activations reshape(Activations buffer, int rows, int cols) {
        // The record's constructor refuses a shape that does not fit.
        return new CpuActivations(rows, cols, heap(buffer).data());
    }

    @Override
    public void embed(
            TokenBatch batch, PreparedTable word, PreparedTable position, PreparedTable type, Activations out) {
        FloatTable w = ((CpuPrepared.Table) word).table();
        FloatTable p = ((CpuPrepared.Table) position).table();
        FloatTable t = ((CpuPrepared.Table) type).table();
        float[] o = heap(out).data();
        int width = out.cols();
        for (int i = 0; i < batch.tokens(); i++) {
            int id = checkedRow(batch.tokenIds()[i], word, "token id");
            int pos = checkedRow(batch.positions()[i], position, "position");
            int ty = checkedRow(batch.typeIds()[i], type, "token type");
            int dst = i * width;
            // (word + position) + type, each row widened from however its table stores it.
            w.readRow(id, o, dst);
            p.addRow(pos, o, dst);
            t.addRow(ty, o, dst);
        }
    }

    private static int checkedRow(int row, PreparedTable table, String what) {
        if (row < 0 || row >= table.entries()) {
            throw SparseInferException.invalidArgument(
                    what + " " + row + " is outside the embedding table's " + table.entries() + " entries");
        }
        return row;
    }

    @Override
    public void addLayerNorm(Activations x, Activations residual, PreparedNorm norm, float eps, Activations out) {
        CpuPrepared.Norm n = (CpuPrepared.Norm) norm;
        float[] xs = heap(x).data();
        float[] rs = residual == null ? null : heap(residual).data();
        float[] os = heap(out).data();
        int cols = x.cols();
        parallel.run(
                x.rows(), 1, (from, to) -> kernels.addLayerNorm(xs, rs, n.gamma(), n.beta(), eps, cols, from, to, os));
    }

    @Override
    public void linear(PreparedLinear layer, Activations x, ActivationFunction activation, Activations out) {
        CpuLinear l = (CpuLinear) layer;
        float[] xs = heap(x).data();
        float[] ys = heap(out).data();
        int rows = x.rows();
        parallel.run(l.outFeatures(), l.outputAlignment(), (from, to) -> l.compute(xs, rows, from, to, activation, ys));
    }

    /**
     * One op over the layers' outputs laid end to end, so the threads meet once for all of them rather than once
     * per layer: a small model's layers are short enough for those waits to show. Each thread's share starts on a
     * multiple of every layer's alignment, so every output gets the bits {@link #linear} would give it.
     */
    @Override
    public void linears(PreparedLinear[] layers, Activations x, Activations[] outs) {
        CpuLinear[] parts = new CpuLinear[layers.length];
        int align = 1;
        for (int j = 0; j < layers.length; j++) {
            parts[j] = (CpuLinear) layers[j];
            align = Math.max(align, parts[j].outputAlignment());
        }
        int[] starts = new int[parts.length + 1];
        for (int j = 0; j < parts.length; j++) {
            if (parts[j].outFeatures() % align != 0 || align % parts[j].outputAlignment() != 0) {
                Backend.super.linears(layers, x, outs);
                return;
            }
            starts[j + 1] = starts[j] + parts[j].outFeatures();
        }
        float[] xs = heap(x).data();
        int rows = x.rows();
        parallel.run(starts[parts.length], align, (from, to) -> {
            for (int j = 0; j < parts.length; j++) {
                int lo = Math.max(from, starts[j]);
                int hi = Math.min(to, starts[j + 1]);
                if (lo < hi) {
                    parts[j].compute(
                            xs,
                            rows,
                            lo - starts[j],
                            hi - starts[j],
                            ActivationFunction.NONE,
                            heap(outs[j]).data());
                }
            }
        });
    }

    /**
     * Two CSR layers in a row pass the hidden activations token-major, as the first layer's kernels produce them and
     * the second's read them: the first skips its write-back to rows and the second its transpose of the whole
     * hidden width, which every thread would do in full. The same bits as two {@link #linear}s; {@code hidden} is
     * left as it was.
     */
    @Override
    public void feedForward(
            PreparedLinear up,
            ActivationFunction activation,
            PreparedLinear down,
            Activations x,
            Activations hidden,
            Activations out) {
        if (!(up instanceof CsrLinear first && down instanceof CsrLinear second && first.chainsInto(second))) {
            Backend.super.feedForward(up, activation, down, x, hidden, out);
            return;
        }
        float[] xs = heap(x).data();
        float[] ys = heap(out).data();
        int rows = x.rows();
        float[][] tiles = Scratch.tiles(CsrLinear.tileCount(rows), first.tileLength());
        parallel.run(
                first.outFeatures(),
                first.outputAlignment(),
                (from, to) -> first.computeTokenMajor(xs, rows, from, to, activation, tiles));
        parallel.run(
                second.outFeatures(),
                second.outputAlignment(),
                (from, to) -> second.computeFromTokenMajor(tiles, rows, from, to, ys));
    }

    @Override
    public void attention(Activations q, Activations k, Activations v, int heads, TokenBatch batch, Activations out) {
        attention(q, k, v, heads, batch, null, out);
    }

    @Override
    public RelativePositionBias prepare(RelativePositionBias bias) {
        return bias;
    }

    @Override
    public void attention(
            Activations q,
            Activations k,
            Activations v,
            int heads,
            TokenBatch batch,
            RelativePositionBias bias,
            Activations out) {
        float[] qs = heap(q).data();
        float[] ks = heap(k).data();
        float[] vs = heap(v).data();
        float[] os = heap(out).data();
        int width = q.cols();
        int headDim = width / heads;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        parallel.run(batch.sequences() * heads, 1, (from, to) -> {
            for (int task = from; task < to; task++) {
                int s = task / heads;
                int head = task % heads;
                int length = batch.lengths()[s];
                float[] byDistance = bias == null ? null : bias.byDistance(head, length);
                kernels.attentionHead(
                        qs, ks, vs, width, head * headDim, headDim, batch.starts()[s], length, scale, byDistance, os);
            }
        });
    }

    @Override
    public Activations upload(float[] data, int rows, int cols) {
        if (data.length != (long) rows * cols) {
            throw SparseInferException.invalidArgument(
                    data.length + " values cannot fill [" + rows + ", " + cols + "] activations");
        }
        return new CpuActivations(rows, cols, data.clone());
    }

    @Override
    public float[] read(Activations x) {
        return Arrays.copyOf(heap(x).data(), x.rows() * x.cols());
    }

    @Override
    public float[][] pool(Activations x, TokenBatch batch, Pooling pooling, boolean normalize) {
        float[] xs = heap(x).data();
        int width = x.cols();
        float[][] pooled = new float[batch.sequences()][width];
        double[] vector = new double[width];
        for (int s = 0; s < batch.sequences(); s++) {
            int start = batch.starts()[s];
            int length = batch.lengths()[s];
            switch (pooling) {
                case CLS -> copyRow(xs, start, width, vector);
                case LAST_TOKEN -> copyRow(xs, start + length - 1, width, vector);
                case MEAN -> {
                    Arrays.fill(vector, 0);
                    for (int t = start; t < start + length; t++) {
                        for (int c = 0; c < width; c++) {
                            vector[c] += xs[t * width + c];
                        }
                    }
                    for (int c = 0; c < width; c++) {
                        vector[c] /= length;
                    }
                }
                case MAX -> {
                    copyRow(xs, start, width, vector);
                    for (int t = start + 1; t < start + length; t++) {
                        for (int c = 0; c < width; c++) {
                            vector[c] = Math.max(vector[c], xs[t * width + c]);
                        }
                    }
                }
            }
            double scale = 1;
            if (normalize) {
                double norm = 0;
                for (int c = 0; c < width; c++) {
                    norm += vector[c] * vector[c];
                }
                // Same guard as torch.nn.functional.normalize: a zero vector stays zero rather than becoming NaN.
                scale = 1.0 / Math.max(Math.sqrt(norm), 1e-12);
            }
            for (int c = 0; c < width; c++) {
                pooled[s][c] = (float) (vector[c] * scale);
            }
        }
        return pooled;
    }

    private static void copyRow(float[] xs, int row, int width, double[] out) {
        for (int c = 0; c < width; c++) {
            out[c] = xs[row * width + c];
        }
    }

    private static CpuActivations heap(Activations a) {
        return (CpuActivations) a;
    }

    @Override
    public void close() {
        parallel.close();
        if (nativeMemory.scope().isAlive()) {
            nativeMemory.close();
        }
    }
}
