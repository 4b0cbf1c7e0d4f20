package dev.sparseinfer.cuda.lib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sparseinfer.engine.api.SparseInferException;
import org.junit.jupiter.api.Test;

class CsrShapeTest {

    @Test
    void fp16AndFp32ProductsOfOneTypeArePlanned() {
        assertEquals(DataType.F16, new CsrShape(3, 5, 15, DataType.F16, DataType.F16, 1).valueType());
        assertEquals(0, new CsrShape(3, 5, 0, DataType.F32, DataType.F32, 7).nonZeros());
    }

    @Test
    void mixedOrUnsupportedTypesAreRejected() {
        assertInvalid(() -> new CsrShape(3, 5, 4, DataType.F16, DataType.F32, 1));
        assertInvalid(() -> new CsrShape(3, 5, 4, DataType.I8, DataType.I8, 1));
    }

    @Test
    void emptyShapesAndImpossibleCountsAreRejected() {
        assertInvalid(() -> new CsrShape(0, 5, 0, DataType.F32, DataType.F32, 1));
        assertInvalid(() -> new CsrShape(3, 0, 0, DataType.F32, DataType.F32, 1));
        assertInvalid(() -> new CsrShape(3, 5, 0, DataType.F32, DataType.F32, 0));
        assertInvalid(() -> new CsrShape(3, 5, 16, DataType.F32, DataType.F32, 1));
        assertInvalid(() -> new CsrShape(3, 5, -1, DataType.F32, DataType.F32, 1));
    }

    @Test
    void tokenCountsOutsideThePlanAreRejected() {
        CsrShape shape = new CsrShape(3, 5, 4, DataType.F32, DataType.F32, 8);
        shape.checkTokens(1);
        shape.checkTokens(8);
        assertInvalid(() -> shape.checkTokens(0));
        assertInvalid(() -> shape.checkTokens(9));
    }

    private static void assertInvalid(Runnable call) {
        SparseInferException e = assertThrows(SparseInferException.class, call::run);
        assertEquals(SparseInferException.Code.INVALID_ARGUMENT, e.code());
    }
}
