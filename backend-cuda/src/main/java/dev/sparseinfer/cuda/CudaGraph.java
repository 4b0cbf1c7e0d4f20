package dev.sparseinfer.cuda;

import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUstreamCaptureMode;
import jcuda.driver.JCudaDriver;

/** Device work recorded from a stream and instantiated for replay on it. */
final class CudaGraph implements CudaDevice.RecordedWork {

    private final CUgraph graph;
    private final CUgraphExec exec;
    private final CudaStream stream;

    private CudaGraph(CUgraph graph, CUgraphExec exec, CudaStream stream) {
        this.graph = graph;
        this.exec = exec;
        this.stream = stream;
    }

    /**
     * Starts recording. Thread-local mode: only this thread's unsafe calls (a synchronous copy, a free) break the
     * recording, not other backends' work elsewhere in the process.
     */
    static void beginRecording(CudaStream stream) {
        CudaResult.check(
                JCudaDriver.cuStreamBeginCapture(
                        stream.handle(), CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL),
                "cuStreamBeginCapture");
    }

    static CudaGraph endRecording(CudaStream stream) {
        CUgraph graph = new CUgraph();
        CudaResult.check(JCudaDriver.cuStreamEndCapture(stream.handle(), graph), "cuStreamEndCapture");
        CUgraphExec exec = new CUgraphExec();
        int result = JCudaDriver.cuGraphInstantiate(exec, graph, 0);
        if (result != 0) {
            JCudaDriver.cuGraphDestroy(graph);
            throw CudaResult.failure(result, "cuGraphInstantiate");
        }
        return new CudaGraph(graph, exec, stream);
    }

    /** Leaves recording after a failure inside it; whatever was recorded is dropped, and errors are moot. */
    static void abandonRecording(CudaStream stream) {
        CUgraph graph = new CUgraph();
        if (JCudaDriver.cuStreamEndCapture(stream.handle(), graph) == 0) {
            JCudaDriver.cuGraphDestroy(graph);
        }
    }

    @Override
    public void launch() {
        CudaResult.check(JCudaDriver.cuGraphLaunch(exec, stream.handle()), "cuGraphLaunch");
    }

    @Override
    public void close() {
        CudaResult.check(JCudaDriver.cuGraphExecDestroy(exec), "cuGraphExecDestroy");
        CudaResult.check(JCudaDriver.cuGraphDestroy(graph), "cuGraphDestroy");
    }
}
