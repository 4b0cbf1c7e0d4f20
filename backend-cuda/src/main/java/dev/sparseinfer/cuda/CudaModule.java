package dev.sparseinfer.cuda;

import dev.sparseinfer.kernels.KernelName;
import java.util.EnumMap;
import java.util.Map;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/** Our kernels, loaded from the fatbin bytes into the current context, launched on one stream. */
final class CudaModule implements KernelLauncher, AutoCloseable {

    private final CUmodule module;
    private final Map<KernelName, CUfunction> functions = new EnumMap<>(KernelName.class);
    private final CUstream stream;

    CudaModule(byte[] fatbin, CUstream stream) {
        this.stream = stream;
        this.module = new CUmodule();
        CudaResult.check(JCudaDriver.cuModuleLoadData(module, fatbin), "cuModuleLoadData");
        for (KernelName kernel : KernelName.values()) {
            CUfunction function = new CUfunction();
            CudaResult.check(
                    JCudaDriver.cuModuleGetFunction(function, module, kernel.symbol()),
                    "cuModuleGetFunction(" + kernel.symbol() + ")");
            functions.put(kernel, function);
        }
    }

    @Override
    public void launch(KernelName kernel, LaunchGeometry g, KernelArguments arguments) {
        KernelSignatures.check(kernel, arguments);
        CudaResult.check(
                JCudaDriver.cuLaunchKernel(
                        functions.get(kernel),
                        g.gridX(),
                        g.gridY(),
                        1,
                        g.blockX(),
                        1,
                        1,
                        g.sharedBytes(),
                        stream,
                        arguments.kernelParams(),
                        null),
                "cuLaunchKernel(" + kernel.symbol() + ")");
    }

    @Override
    public void close() {
        CudaResult.check(JCudaDriver.cuModuleUnload(module), "cuModuleUnload");
    }
}
