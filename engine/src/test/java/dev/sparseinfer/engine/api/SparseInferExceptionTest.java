package dev.sparseinfer.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SparseInferExceptionTest {

    @Test
    void controlCharactersFromAFileAreEscapedSoTheMessageStaysOneLine() {
        String name = "encoder\n.layer\r.0\t.bias\u0000";
        SparseInferException e = SparseInferException.invalidModel("m.safetensors: tensor '" + name + "' is missing");
        assertEquals(
                "m.safetensors: tensor 'encoder\\u000a.layer\\u000d.0\\u0009.bias\\u0000' is missing", e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void ordinaryMessagesAreKeptAsTheyAre() {
        String message = "model.onnx: no graph in the file (is it an ONNX model?) — ünïcödé ✓";
        assertEquals(message, new SparseInferException(SparseInferException.Code.IO, message).getMessage());
    }
}
