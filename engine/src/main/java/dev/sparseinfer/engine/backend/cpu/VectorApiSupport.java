package dev.sparseinfer.engine.backend.cpu;

/** Whether the Vector API can be used: the JVM must have been started with {@code --add-modules jdk.incubator.vector}. */
final class VectorApiSupport {

    private VectorApiSupport() {
    }

    static boolean available() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }
}
