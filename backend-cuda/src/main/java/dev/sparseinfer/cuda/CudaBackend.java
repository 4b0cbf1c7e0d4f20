package dev.sparseinfer.cuda;

import dev.sparseinfer.cuda.lib.Cublas;
import dev.sparseinfer.cuda.lib.Cusparse;
import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.backend.ActivationFunction;
import dev.sparseinfer.engine.backend.Activations;
import dev.sparseinfer.engine.backend.Backend;
import dev.sparseinfer.engine.backend.PreparedLinear;
import dev.sparseinfer.engine.backend.PreparedNorm;
import dev.sparseinfer.engine.backend.PreparedTable;
import dev.sparseinfer.engine.backend.TokenBatch;
import dev.sparseinfer.engine.format.CsrWeights;
import dev.sparseinfer.engine.format.DenseWeights;
import dev.sparseinfer.engine.format.FloatTable;
import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.engine.format.Int8Weights;
import dev.sparseinfer.engine.format.LayerNormWeights;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.format.LinearWeights;
import dev.sparseinfer.engine.format.TwoFourWeights;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs every op on one CUDA device: our kernels from the fatbin for the row-wise ops, 2:4 and w8a8 layers, cuBLAS
 * for dense layers, cuSPARSE for CSR layers (see {@link LinearKernel} for the format dispatch). One primary context
 * use and one stream per instance; weights are uploaded once, at prepare time; activations live in an arena reset
 * before each pass (activations allocated outside any pass, by tests or kernel benchmarks, live there too, until
 * the next pass begins). Threads share an instance by taking turns: device work is serialised on the stream anyway.
 *
 * <p>Forward passes over one sequence are recorded as CUDA graphs per token count and replayed ({@link GraphPolicy}),
 * which removes the launch overhead that dominates a small model at batch 1.
 */
public final class CudaBackend implements Backend {

    private final ReentrantLock turn = new ReentrantLock();
    private final OwnedResources owned = new OwnedResources();
    private final String deviceName;
    private final CudaDevice device;
    private final DeviceKernels kernels;
    private final DeviceMemory memory;
    private final DeviceUploads uploads;
    private final ActivationArena arena;
    private final Cublas cublas;
    private final Cusparse cusparse;
    private final GraphPolicy<RecordedPass> graphs;
    private final boolean recordGraphs;
    /** The pooling the recorded graphs end in. */
    private PoolingStep graphPooling;

    private TokenBatch passBatch;
    private DeviceBatch passDevice;

    /** A recorded forward pass: its graph and where it leaves the pooled embedding. */
    private record RecordedPass(CudaDevice.RecordedWork graph, long pooled, int cols) {}

    /** The pooling that ends a forward pass. */
    private record PoolingStep(Pooling pooling, boolean normalize) {}

    CudaBackend(CudaDevice device, String deviceName, CudaLibraries libraries, boolean recordGraphs) {
        this.device = device;
        this.deviceName = deviceName;
        this.recordGraphs = recordGraphs;
        owned.push(device);
        try {
            kernels = new DeviceKernels(device.kernels());
            memory = own(new DeviceMemory(device.allocator()));
            uploads = new DeviceUploads(memory, device);
            arena = own(new ActivationArena(memory));
            cublas = own(libraries.openCublas());
            cublas.setStream(device.stream());
            cusparse = own(libraries.openCusparse());
            cusparse.setStream(device.stream());
            graphs = new GraphPolicy<>(pass -> pass.graph().close());
            owned.push(graphs::clear);
        } catch (RuntimeException e) {
            owned.closeAll(e);
            throw e;
        }
    }

    /** A backend on the device the probe found, with the libraries' bindings; records graphs for batch 1. */
    public static CudaBackend open(CudaAvailability availability) {
        return open(availability, CudaLibraries.bound(), true);
    }

    /** For tests and benchmarks: chosen bindings, and whether one-sequence passes are recorded as graphs. */
    public static CudaBackend open(CudaAvailability availability, CudaLibraries libraries, boolean recordGraphs) {
        CudaDeviceInfo info = availability.device().orElseThrow(() -> unavailable(availability.reason()));
        byte[] fatbin = availability.fatbin().orElseThrow(() -> unavailable(availability.reason()));
        // The backend owns the device from its first line on, and closes it if it fails to open.
        return new CudaBackend(JCudaDevice.open(info, fatbin), info.toString(), libraries, recordGraphs);
    }

    private static SparseInferException unavailable(String reason) {
        return new SparseInferException(SparseInferException.Code.BACKEND_UNAVAILABLE, reason);
    }

    private <T extends AutoCloseable> T own(T resource) {
        owned.push(resource);
        return resource;
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public String description() {
        return "cuda (" + deviceName + "; " + cublas.binding() + "; " + cusparse.binding() + ")";
    }

    @Override
    public PreparedLinear prepare(Linear layer) {
        return onDevice(() -> {
            LinearWeights weights = LinearKernel.deviceWeights(layer.weights());
            String what = layer.name() + " weights";
            int out = layer.outFeatures();
            int in = layer.inFeatures();
            long bias = uploads.floats(layer.bias(), layer.name() + " bias");
            HalfOperands operands = LinearKernel.epilogueScales(layer.weights())
                    .map(s -> new HalfOperands(
                            uploads.floats(s.scales(), layer.name() + " scales"), s.scheme() == Int8Scheme.W8A8))
                    .orElse(HalfOperands.FLOAT);
            return switch (LinearKernel.forFormat(layer.weights())) {
                case CUBLAS_HALF ->
                    new CublasLinear(
                            out,
                            in,
                            uploads.halves(((DenseWeights) weights).matrix().data(), what),
                            bias,
                            operands,
                            cublas);
                case CUSPARSE_HALF -> {
                    CsrWeights csr = (CsrWeights) weights;
                    yield own(new CusparseLinear(
                            out,
                            in,
                            csr.values().length,
                            uploads.ints(csr.pattern().rowPtr(), what),
                            uploads.ints(csr.pattern().colIdx(), what),
                            uploads.halves(csr.values(), what),
                            bias,
                            operands,
                            cusparse,
                            this::planReplaced));
                }
                case TWO_FOUR_SPARSE_TENSOR_CORES -> {
                    TwoFourFragmentLayout layout = TwoFourFragmentLayout.of((TwoFourWeights) weights);
                    yield new TwoFourLinear(
                            out,
                            in,
                            uploads.ints(layout.values(), what),
                            uploads.ints(layout.meta(), what),
                            bias,
                            operands,
                            layout.rowTiles(),
                            layout.kSteps());
                }
                case INT8_DP4A -> {
                    Int8Weights q = (Int8Weights) weights;
                    yield new Int8Linear(
                            out,
                            in,
                            uploads.ints(Int8RowPacking.pack(q.values(), out, in), what),
                            uploads.floats(q.scales().scales(), layer.name() + " scales"),
                            bias);
                }
            };
        });
    }

    @Override
    public PreparedNorm prepare(LayerNormWeights norm) {
        return onDevice(() -> new CudaPrepared.Norm(
                uploads.floats(norm.gamma(), norm.name()), uploads.floats(norm.beta(), norm.name())));
    }

    @Override
    public PreparedTable prepareTable(FloatTable table) {
        // Staged through the heap once: the upload copies from a float array.
        float[] values = table.toMatrix().data();
        return onDevice(
                () -> new CudaPrepared.Table(uploads.floats(values, "embedding table"), table.rows(), table.cols()));
    }

    @Override
    public Activations allocate(int rows, int cols) {
        return onDevice(() -> new CudaActivations(arena.allocate(4L * rows * cols, "activations"), rows, cols));
    }

    @Override
    public void embed(
            TokenBatch batch, PreparedTable word, PreparedTable position, PreparedTable type, Activations out) {
        CudaPrepared.Table w = (CudaPrepared.Table) word;
        CudaPrepared.Table p = (CudaPrepared.Table) position;
        CudaPrepared.Table t = (CudaPrepared.Table) type;
        // The kernel trusts its indices; an id outside a table must fail here as it does on the CPU.
        checkRows(batch.tokenIds(), word, "token id");
        checkRows(batch.positions(), position, "position");
        checkRows(batch.typeIds(), type, "token type");
        onDevice(() -> {
            DeviceBatch b = deviceBatch(batch);
            kernels.embed(
                    b.tokenIds(),
                    b.typeIds(),
                    b.positions(),
                    w.address(),
                    p.address(),
                    t.address(),
                    device(out).address(),
                    batch.tokens(),
                    out.cols());
        });
    }

    private static void checkRows(int[] rows, PreparedTable table, String what) {
        for (int row : rows) {
            if (row < 0 || row >= table.entries()) {
                throw SparseInferException.invalidArgument(
                        what + " " + row + " is outside the embedding table's " + table.entries() + " entries");
            }
        }
    }

    @Override
    public void addLayerNorm(Activations x, Activations residual, PreparedNorm norm, float eps, Activations out) {
        CudaPrepared.Norm n = (CudaPrepared.Norm) norm;
        onDevice(() -> kernels.addLayerNorm(
                device(x).address(),
                residual == null ? 0 : device(residual).address(),
                n.gamma(),
                n.beta(),
                device(out).address(),
                x.rows(),
                x.cols(),
                eps));
    }

    @Override
    public void linear(PreparedLinear layer, Activations x, ActivationFunction activation, Activations out) {
        onDevice(() -> ((DeviceLinear) layer)
                .forward(
                        kernels,
                        arena,
                        device(x).address(),
                        x.rows(),
                        activation,
                        device(out).address()));
    }

    @Override
    public void attention(Activations q, Activations k, Activations v, int heads, TokenBatch batch, Activations out) {
        int width = q.cols();
        int headDim = width / heads;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        onDevice(() -> {
            DeviceBatch b = deviceBatch(batch);
            kernels.attention(
                    device(q).address(),
                    device(k).address(),
                    device(v).address(),
                    device(out).address(),
                    b.tokenSequenceStarts(),
                    b.tokenSequenceLengths(),
                    batch.tokens(),
                    heads,
                    width,
                    headDim,
                    b.longestSequence(),
                    scale);
        });
    }

    @Override
    public Activations upload(float[] data, int rows, int cols) {
        if (data.length != (long) rows * cols) {
            throw SparseInferException.invalidArgument(
                    data.length + " values cannot fill [" + rows + ", " + cols + "] activations");
        }
        return onDevice(() -> {
            CudaActivations a = new CudaActivations(arena.allocate(4L * data.length, "activations"), rows, cols);
            device.upload(a.address(), data);
            return a;
        });
    }

    @Override
    public float[] read(Activations x) {
        return onDevice(() -> download(device(x).address(), x.rows() * x.cols()));
    }

    @Override
    public float[][] pool(Activations x, TokenBatch batch, Pooling pooling, boolean normalize) {
        return onDevice(() ->
                split(download(enqueuePool(x, batch, pooling, normalize), batch.sequences() * x.cols()), x.cols()));
    }

    /** Enqueues pooling into a new arena block and returns its address. */
    private long enqueuePool(Activations x, TokenBatch batch, Pooling pooling, boolean normalize) {
        DeviceBatch b = deviceBatch(batch);
        long out = arena.allocate(4L * batch.sequences() * x.cols(), "pooled embeddings");
        kernels.pool(
                device(x).address(),
                b.sequenceStarts(),
                b.sequenceLengths(),
                out,
                batch.sequences(),
                x.cols(),
                pooling,
                normalize);
        return out;
    }

    @Override
    public <T> T pass(TokenBatch batch, Supplier<T> body) {
        turn.lock();
        try {
            device.makeCurrent();
            // Blocks of the previous pass may still be read by work in flight until the stream drains.
            device.synchronize();
            arena.reset();
            passBatch = batch;
            passDevice = upload(batch);
            return body.get();
        } finally {
            passBatch = null;
            passDevice = null;
            turn.unlock();
        }
    }

    /** Activations live in the arena, which every pass resets. */
    @Override
    public boolean activationsOutlivePasses() {
        return false;
    }

    @Override
    public float[][] encode(
            TokenBatch batch, Pooling pooling, boolean normalize, Function<TokenBatch, Activations> hiddenStates) {
        return pass(batch, () -> {
            int tokens = batch.tokens();
            PoolingStep asked = new PoolingStep(pooling, normalize);
            if (!asked.equals(graphPooling)) {
                // Graphs end in the pooling they were recorded with; another one starts them over.
                graphs.clear();
                graphPooling = asked;
            }
            GraphPolicy.Step step = recordGraphs && batch.sequences() == 1
                    ? graphs.next(tokens, arena.generation())
                    : GraphPolicy.Step.EAGER;
            return switch (step) {
                case EAGER -> {
                    float[][] pooled = pool(hiddenStates.apply(batch), batch, pooling, normalize);
                    graphs.ranEagerly(tokens);
                    yield pooled;
                }
                case RECORD -> record(batch, asked, hiddenStates);
                case REPLAY -> replay(graphs.graph(tokens));
            };
        });
    }

    private float[][] record(TokenBatch batch, PoolingStep pooling, Function<TokenBatch, Activations> hiddenStates) {
        RecordedPass recorded;
        device.beginRecording();
        try {
            Activations h = hiddenStates.apply(batch);
            long pooled = enqueuePool(h, batch, pooling.pooling(), pooling.normalize());
            recorded = new RecordedPass(device.endRecording(), pooled, h.cols());
        } catch (RuntimeException e) {
            device.abandonRecording();
            if (!(e instanceof SparseInferException s) || s.code() != SparseInferException.Code.BACKEND_UNAVAILABLE) {
                throw e;
            }
            // A device or library call could not be recorded: this token count runs eagerly until the graphs are
            // next dropped (GraphPolicy).
            graphs.recordingFailed(batch.tokens());
            return pool(hiddenStates.apply(batch), batch, pooling.pooling(), pooling.normalize());
        }
        graphs.recorded(batch.tokens(), recorded);
        return replay(recorded);
    }

    private float[][] replay(RecordedPass recorded) {
        recorded.graph().launch();
        return split(download(recorded.pooled(), recorded.cols()), recorded.cols());
    }

    /**
     * A cuSPARSE plan is about to be replaced: queued work may still use its buffers, and recorded graphs hold
     * them. Never called while recording (a token count is recorded only after it ran without replanning).
     */
    private void planReplaced() {
        device.synchronize();
        graphs.clear();
    }

    /** The batch's index arrays: those of the current pass, or uploaded now for an op called outside one. */
    private DeviceBatch deviceBatch(TokenBatch batch) {
        return batch == passBatch ? passDevice : upload(batch);
    }

    private DeviceBatch upload(TokenBatch batch) {
        int[] layout = DeviceBatch.layout(batch);
        long address = arena.allocate(4L * layout.length, "token batch");
        device.upload(address, layout);
        return new DeviceBatch(address, batch.tokens(), batch.sequences(), DeviceBatch.longest(batch));
    }

    private float[] download(long address, int count) {
        float[] host = new float[count];
        device.download(address, host);
        return host;
    }

    private static float[][] split(float[] rows, int cols) {
        float[][] out = new float[rows.length / cols][];
        for (int r = 0; r < out.length; r++) {
            out[r] = Arrays.copyOfRange(rows, r * cols, (r + 1) * cols);
        }
        return out;
    }

    private static CudaActivations device(Activations a) {
        return (CudaActivations) a;
    }

    private void onDevice(Runnable op) {
        onDevice(() -> {
            op.run();
            return null;
        });
    }

    private <T> T onDevice(Supplier<T> op) {
        // Inside a pass (or another op) this thread already holds the turn and the context is current; skipping
        // cuCtxSetCurrent there also keeps a graph recording free of anything but stream work.
        boolean outermost = !turn.isHeldByCurrentThread();
        turn.lock();
        try {
            if (outermost) {
                device.makeCurrent();
            }
            return op.get();
        } finally {
            turn.unlock();
        }
    }

    /**
     * Device time, in milliseconds, of the ops {@code work} issues on this backend, from CUDA events recorded on
     * its stream around them: for kernel benchmarks, which must not count launch or synchronisation overheads.
     */
    public float deviceMillis(Runnable work) {
        return onDevice(() -> device.millis(work));
    }

    /**
     * Device time, in milliseconds, of one device-to-device copy of {@code bytes}, after one untimed copy: the
     * bandwidth a memory-bound kernel is measured against. The buffers are freed again.
     */
    public float copyMillis(long bytes) {
        return onDevice(() -> {
            long from = memory.allocate(bytes, "copy benchmark source");
            try {
                long to = memory.allocate(bytes, "copy benchmark destination");
                try {
                    Runnable copy = () -> device.copy(to, from, bytes);
                    copy.run();
                    return device.millis(copy);
                } finally {
                    device.synchronize();
                    memory.free(to);
                }
            } finally {
                memory.free(from);
            }
        });
    }

    /**
     * Device bytes this backend holds: weights, the activation arena and its scratch (not the libraries' own work
     * buffers). The growth across a {@code prepare} is what the layer's weights take on the device.
     */
    public long deviceBytes() {
        return memory.bytesInUse();
    }

    @Override
    public void close() {
        turn.lock();
        try {
            if (owned.isEmpty()) {
                return;
            }
            device.makeCurrent();
            device.synchronize();
            owned.closeAll(null);
        } finally {
            turn.unlock();
        }
    }
}
