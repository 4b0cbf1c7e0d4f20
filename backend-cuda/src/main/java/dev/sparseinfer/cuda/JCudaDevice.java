package dev.sparseinfer.cuda;

import jcuda.Pointer;
import jcuda.driver.JCudaDriver;

/** A GPU through JCuda's driver API: the primary context, one stream, our kernels module, a pair of timing events. */
final class JCudaDevice implements CudaDevice {

    private final OwnedResources owned = new OwnedResources();
    private final CudaContext context;
    private final CudaStream stream;
    private final CudaModule module;
    private final CudaEvents events;
    private final DriverAllocator allocator = new DriverAllocator();

    private JCudaDevice(CudaDeviceInfo device, byte[] fatbin) {
        try {
            context = own(CudaContext.primary(device.ordinal()));
            context.makeCurrent();
            stream = own(new CudaStream());
            module = own(new CudaModule(fatbin, stream.handle()));
            events = own(new CudaEvents());
        } catch (RuntimeException e) {
            owned.closeAll(e);
            throw e;
        }
    }

    static JCudaDevice open(CudaDeviceInfo device, byte[] fatbin) {
        return new JCudaDevice(device, fatbin);
    }

    private <T extends AutoCloseable> T own(T resource) {
        owned.push(resource);
        return resource;
    }

    @Override
    public void makeCurrent() {
        context.makeCurrent();
    }

    @Override
    public DeviceAllocator allocator() {
        return allocator;
    }

    @Override
    public KernelLauncher kernels() {
        return module;
    }

    @Override
    public long stream() {
        return stream.address();
    }

    @Override
    public void upload(long address, float[] host) {
        stream.upload(address, Pointer.to(host), 4L * host.length);
    }

    @Override
    public void upload(long address, int[] host) {
        stream.upload(address, Pointer.to(host), 4L * host.length);
    }

    @Override
    public void upload(long address, short[] host) {
        stream.upload(address, Pointer.to(host), 2L * host.length);
    }

    @Override
    public void download(long address, float[] host) {
        stream.download(Pointer.to(host), address, 4L * host.length);
    }

    @Override
    public void synchronize() {
        stream.synchronize();
    }

    @Override
    public void copy(long to, long from, long bytes) {
        CudaResult.check(
                JCudaDriver.cuMemcpyDtoDAsync(
                        NativeAddress.devicePointer(to), NativeAddress.devicePointer(from), bytes, stream.handle()),
                "cuMemcpyDtoDAsync");
    }

    @Override
    public float millis(Runnable work) {
        return events.millis(stream, work);
    }

    @Override
    public void beginRecording() {
        CudaGraph.beginRecording(stream);
    }

    @Override
    public RecordedWork endRecording() {
        return CudaGraph.endRecording(stream);
    }

    @Override
    public void abandonRecording() {
        CudaGraph.abandonRecording(stream);
    }

    @Override
    public void close() {
        owned.closeAll(null);
    }
}
