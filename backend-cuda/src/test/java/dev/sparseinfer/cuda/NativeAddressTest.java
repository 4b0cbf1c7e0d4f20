package dev.sparseinfer.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.random.RandomGenerator;
import jcuda.Pointer;
import org.junit.jupiter.api.Test;

class NativeAddressTest {

    @Test
    void addressesSurviveTheRoundTripWithTheirOffsets() {
        RandomGenerator random = RandomGenerator.of("L64X128MixRandom");
        long base = random.nextLong(1L << 20, 1L << 47) & ~0xFL;
        long offset = random.nextLong(0, 1 << 20);
        Pointer raw = NativeAddress.pointer(base);
        assertEquals(base, NativeAddress.of(raw));
        assertEquals(base + offset, NativeAddress.of(raw.withByteOffset(offset)));
    }

    @Test
    void streamAddressesSurviveTheRoundTrip() {
        long stream = RandomGenerator.of("L64X128MixRandom").nextLong(1L << 20, 1L << 47);
        assertEquals(stream, NativeAddress.of(NativeAddress.stream(stream)));
        assertEquals(0L, NativeAddress.of(NativeAddress.stream(0L)));
    }

    @Test
    void aDevicePointerMadeFromAnAddressCarriesItAndItsOffsets() {
        RandomGenerator random = RandomGenerator.of("L64X128MixRandom");
        long address = random.nextLong(1L << 20, 1L << 47) & ~0xFFL;
        long offset = random.nextLong(0, 1 << 20);
        assertEquals(address, NativeAddress.of(NativeAddress.devicePointer(address)));
        assertEquals(
                address + offset,
                NativeAddress.of(NativeAddress.devicePointer(address).withByteOffset(offset)));
    }
}
