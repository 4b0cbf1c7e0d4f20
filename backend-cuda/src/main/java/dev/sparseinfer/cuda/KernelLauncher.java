package dev.sparseinfer.cuda;

import dev.sparseinfer.kernels.KernelName;

/** Enqueues one kernel on the backend's stream; a recording fake in tests checks geometry and arguments. */
interface KernelLauncher {

    void launch(KernelName kernel, LaunchGeometry geometry, KernelArguments arguments);
}
