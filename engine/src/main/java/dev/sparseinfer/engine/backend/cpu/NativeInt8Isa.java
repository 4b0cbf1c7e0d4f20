package dev.sparseinfer.engine.backend.cpu;

/** The instruction sets the native int8 library has kernels for, each with the level number its functions take. */
public enum NativeInt8Isa {
    /** {@code vpmaddubsw} and {@code vpmaddwd}, with the activations' signs moved onto the weights. */
    AVX2(1, "avx2"),
    /** {@code vpdpbusd}: four int8 products summed into int32 by one instruction. */
    AVX512_VNNI(2, "avx512-vnni");

    private final int level;
    private final String label;

    NativeInt8Isa(int level, String label) {
        this.level = level;
        this.label = label;
    }

    int level() {
        return level;
    }

    /** How {@code -Dsparseinfer.native} and the backend's description name it. */
    public String label() {
        return label;
    }

    /** Whether a {@code si_levels()} bit mask says this CPU runs it. */
    boolean supportedBy(int levels) {
        return (levels & (1 << (level - 1))) != 0;
    }
}
