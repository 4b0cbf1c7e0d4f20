package dev.sparseinfer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code inspect --verify} checks a packed file's recorded SHA-256s; a corrupted file is refused by every command. */
class InspectVerifyTest {

    @TempDir
    Path dir;

    private final CommandLineRun cli = new CommandLineRun();

    @Test
    void verifiesAGoodFileAndRefusesOneWithAFlippedBit() throws IOException {
        Path packed = dir.resolve("w8.safetensors");
        assertEquals(
                0, cli.run("quantize", "--model", "minilm", "--scheme", "w8", "--out", packed.toString()), cli.err());

        assertEquals(0, cli.run("inspect", "--model", packed.toString(), "--verify"), cli.err());
        assertTrue(cli.out().startsWith("verify  "), cli.out());
        assertTrue(
                cli.out().lines().findFirst().orElseThrow().endsWith("tensors match their recorded SHA-256"),
                cli.out());

        // One bit in the middle of the last tensor's bytes (the data section runs to the end of the file).
        byte[] bytes = Files.readAllBytes(packed);
        long headerLength =
                ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        bytes[bytes.length - 3] ^= 0x10;
        assertTrue(bytes.length - 3 > 8 + headerLength);
        Files.write(packed, bytes);

        assertEquals(1, cli.run("inspect", "--model", packed.toString(), "--verify"));
        assertEquals(1, cli.err().lines().count(), cli.err());
        assertTrue(cli.err().contains("does not match its recorded SHA-256"), cli.err());
        Path input = Files.writeString(dir.resolve("in.txt"), "text\n");
        assertEquals(1, cli.run("embed", "--model", packed.toString(), "--input", input.toString()));
        assertTrue(cli.err().contains("does not match its recorded SHA-256"), cli.err());
    }

    @Test
    void saysWhenThereIsNothingToVerify() {
        assertEquals(0, cli.run("inspect", "--model", "minilm", "--verify"), cli.err());
        assertTrue(cli.out().startsWith("verify  not a packed file"), cli.out());
    }
}
