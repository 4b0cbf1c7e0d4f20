package dev.sparseinfer.engine.io.safetensors;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of tensor bytes, as lowercase hex: how packed files record and check their tensors. */
public final class Sha256 {

    /** Hex digits in a digest. */
    public static final int HEX_LENGTH = 64;

    private Sha256() {}

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // The Java SE specification requires every JDK to have it.
            throw new IllegalStateException("this JDK has no SHA-256", e);
        }
    }

    /** The digest of the bytes from the buffer's position to its limit; the buffer itself is not moved. */
    public static String hex(ByteBuffer bytes) {
        MessageDigest digest = newDigest();
        digest.update(bytes.duplicate());
        return HexFormat.of().formatHex(digest.digest());
    }
}
