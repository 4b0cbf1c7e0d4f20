package dev.sparseinfer.engine.backend.cpu;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shapes the int8 kernels use: 8 int8 lanes widened to 8 int32 or fp32 lanes (64-bit bytes into
 * 256-bit ints and floats), a shape every x86-64 and AArch64 JIT supports.
 */
final class Int8Vectors {

    static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_64;
    static final VectorSpecies<Integer> INTS = IntVector.SPECIES_256;
    static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_256;
    static final int LANES = 8;

    private Int8Vectors() {
    }
}
