package dev.sparseinfer.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes UTF-8 from a stream, replacing each malformed sequence by U+FFFD and counting them, so one bad byte in
 * a long input neither ends the run nor passes unnoticed. (A decoder set to REPLACE replaces silently; this one
 * asks to be told, then replaces.) Reads through a fixed buffer: memory does not grow with the input.
 */
final class ReplacingUtf8Reader extends Reader {

    private static final int BUFFER_BYTES = 1 << 16;

    private final InputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteBuffer bytes = ByteBuffer.allocate(BUFFER_BYTES).flip();
    private final CharBuffer chars = CharBuffer.allocate(BUFFER_BYTES).flip();
    private boolean endOfInput;
    private boolean flushed;
    private long replaced;

    ReplacingUtf8Reader(InputStream in) {
        this.in = in;
    }

    /** How many malformed sequences have been replaced so far. */
    long replaced() {
        return replaced;
    }

    @Override
    public int read(char[] target, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (!chars.hasRemaining() && !decodeMore()) {
            return -1;
        }
        int n = Math.min(length, chars.remaining());
        chars.get(target, offset, n);
        return n;
    }

    /**
     * Decodes into {@code chars} until it holds something; false at the end of the input. Decoding goes through
     * a buffer of our own, never the caller's, so a caller reading one char at a time still gets surrogate pairs.
     */
    private boolean decodeMore() throws IOException {
        chars.clear();
        while (chars.position() == 0 && !flushed) {
            CoderResult result = decoder.decode(bytes, chars, endOfInput);
            if (result.isError()) {
                if (!chars.hasRemaining()) {
                    break; // the same error comes back on the next call, with room for its replacement
                }
                bytes.position(bytes.position() + result.length());
                chars.put('\uFFFD');
                replaced++;
            } else if (result.isUnderflow()) {
                if (endOfInput) {
                    decoder.flush(chars);
                    flushed = true;
                } else {
                    fill();
                }
            }
        }
        chars.flip();
        return chars.hasRemaining();
    }

    /** Moves the undecoded tail to the front and reads more after it. */
    private void fill() throws IOException {
        bytes.compact();
        int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
        if (n < 0) {
            endOfInput = true;
        } else {
            bytes.position(bytes.position() + n);
        }
        bytes.flip();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
