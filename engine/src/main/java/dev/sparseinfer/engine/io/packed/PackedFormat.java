package dev.sparseinfer.engine.io.packed;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.format.CsrInt8Weights;
import dev.sparseinfer.engine.format.CsrPattern;
import dev.sparseinfer.engine.format.CsrWeights;
import dev.sparseinfer.engine.format.DenseWeights;
import dev.sparseinfer.engine.format.FloatTable;
import dev.sparseinfer.engine.format.FloatTensor;
import dev.sparseinfer.engine.format.Int8Scales;
import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.engine.format.Int8Table;
import dev.sparseinfer.engine.format.Int8Weights;
import dev.sparseinfer.engine.format.LinearWeights;
import dev.sparseinfer.engine.format.TwoFourInt8Weights;
import dev.sparseinfer.engine.format.TwoFourPattern;
import dev.sparseinfer.engine.format.TwoFourWeights;
import dev.sparseinfer.engine.io.safetensors.DType;
import dev.sparseinfer.engine.io.safetensors.SafetensorsFile;
import dev.sparseinfer.engine.io.safetensors.SafetensorsWriter;
import java.util.function.Supplier;

/**
 * How each linear-weight format, and an int8 embedding table, is stored in a packed file, both ways, so writer and
 * reader cannot drift apart. For a layer {@code P} (e.g. {@code encoder.layer.0.attention.self.query}):
 * <pre>
 * dense fp32    P.weight                 F32 [out, in]
 * CSR           P.weight.csr.values      F32 or I8 [nnz]
 *               P.weight.csr.col_idx     I32 [nnz]
 *               P.weight.csr.row_ptr     I32 [out + 1]
 *               P.weight.csr.shape       I32 [2] = {out, in}
 * 2:4           P.weight.2of4.values     F32 or I8 [out, in / 2]
 *               P.weight.2of4.meta       U8 [ceil(out * in / 8)]   (bit order: {@link TwoFourPattern})
 * int8 dense    P.weight.int8            I8 [out, in]
 * any int8      P.weight.scale           F32 [out]  (the scheme, w8a8 or w8, is in the metadata)
 * </pre>
 * An embedding table {@code T} (e.g. {@code embeddings.word_embeddings}) is {@code T.weight} F32 {@code [rows, cols]},
 * or, in a file whose metadata says its tables are int8 ({@link TableFormat}), named as an int8 linear weight is:
 * <pre>
 * int8 table    T.weight.int8            I8 [rows, cols]
 *               T.weight.scale           F32 [rows]  (one per row: see {@link Int8Table})
 * </pre>
 */
final class PackedFormat {

    static final String CSR = ".weight.csr.";
    static final String TWO_FOUR = ".weight.2of4.";
    static final String INT8 = ".weight.int8";
    static final String SCALE = ".weight.scale";
    /** Appended to a table's own name, which ends in {@code .weight}, to give the names above. */
    static final String TABLE_INT8 = ".int8";

    static final String TABLE_SCALE = ".scale";

    private PackedFormat() {}

    /** Adds a layer's weights under prefix {@code p}; returns the int8 scheme it uses, or null. */
    static Int8Scheme write(String p, LinearWeights weights, SafetensorsWriter out) {
        int rows = weights.outFeatures();
        int cols = weights.inFeatures();
        switch (weights) {
            case DenseWeights d ->
                out.addF32(p + ".weight", new int[] {rows, cols}, d.matrix().data());
            case CsrWeights c -> {
                writeCsrPattern(p, c.pattern(), out);
                out.addF32(p + CSR + "values", new int[] {c.values().length}, c.values());
            }
            case TwoFourWeights t -> {
                out.add(
                        p + TWO_FOUR + "meta",
                        DType.U8,
                        new int[] {t.pattern().meta().length},
                        t.pattern().meta());
                out.addF32(p + TWO_FOUR + "values", new int[] {rows, cols / 2}, t.values());
            }
            case Int8Weights q -> {
                out.add(p + INT8, DType.I8, new int[] {rows, cols}, q.values());
                return writeScales(p, q.scales(), out);
            }
            case CsrInt8Weights q -> {
                writeCsrPattern(p, q.pattern(), out);
                out.add(p + CSR + "values", DType.I8, new int[] {q.values().length}, q.values());
                return writeScales(p, q.scales(), out);
            }
            case TwoFourInt8Weights q -> {
                out.add(
                        p + TWO_FOUR + "meta",
                        DType.U8,
                        new int[] {q.pattern().meta().length},
                        q.pattern().meta());
                out.add(p + TWO_FOUR + "values", DType.I8, new int[] {rows, cols / 2}, q.values());
                return writeScales(p, q.scales(), out);
            }
        }
        return null;
    }

    private static void writeCsrPattern(String p, CsrPattern pattern, SafetensorsWriter out) {
        out.addI32(p + CSR + "col_idx", new int[] {pattern.colIdx().length}, pattern.colIdx());
        out.addI32(p + CSR + "row_ptr", new int[] {pattern.rowPtr().length}, pattern.rowPtr());
        out.addI32(p + CSR + "shape", new int[] {2}, new int[] {pattern.outFeatures(), pattern.inFeatures()});
    }

    private static Int8Scheme writeScales(String p, Int8Scales scales, SafetensorsWriter out) {
        out.addF32(p + SCALE, new int[] {scales.scales().length}, scales.scales());
        return scales.scheme();
    }

    /**
     * Reads layer {@code p} in whichever format the file stores it. The formats check their own invariants (CSR
     * indices in range, 2:4 codes valid) without knowing where the data came from; their errors get the file and
     * layer put in front here, so the user learns which file is bad.
     */
    static LinearWeights read(String p, SafetensorsFile file, Int8Scheme scheme) {
        return named(file, p, () -> readUnnamed(p, file, scheme));
    }

    private static <T> T named(SafetensorsFile file, String name, Supplier<T> read) {
        try {
            return read.get();
        } catch (SparseInferException e) {
            if (e.getMessage().startsWith(file.path().toString())) {
                throw e;
            }
            throw new SparseInferException(e.code(), file.path() + ": " + name + ": " + e.getMessage(), e);
        }
    }

    private static LinearWeights readUnnamed(String p, SafetensorsFile file, Int8Scheme scheme) {
        var names = file.tensors();
        boolean int8 = names.containsKey(p + SCALE);
        if (int8 && scheme == null) {
            throw SparseInferException.invalidModel(
                    file.path() + ": " + p + " is int8 but the file names no int8 scheme");
        }
        if (names.containsKey(p + CSR + "values")) {
            int[] shape = file.readInts(p + CSR + "shape");
            if (shape.length != 2) {
                throw SparseInferException.invalidModel(file.path() + ": " + p + CSR + "shape must hold 2 values");
            }
            CsrPattern pattern = new CsrPattern(
                    shape[0], shape[1], file.readInts(p + CSR + "col_idx"), file.readInts(p + CSR + "row_ptr"));
            return int8
                    ? new CsrInt8Weights(pattern, int8Values(file, p + CSR + "values"), scales(file, p, scheme))
                    : new CsrWeights(
                            pattern, file.readFloats(p + CSR + "values").data());
        }
        if (names.containsKey(p + TWO_FOUR + "values")) {
            int[] shape = file.info(p + TWO_FOUR + "values").shape();
            if (shape.length != 2) {
                throw SparseInferException.invalidModel(file.path() + ": " + p + TWO_FOUR + "values must be 2-D");
            }
            TwoFourPattern pattern = new TwoFourPattern(shape[0], 2 * shape[1], file.readBytes(p + TWO_FOUR + "meta"));
            return int8
                    ? new TwoFourInt8Weights(
                            pattern, int8Values(file, p + TWO_FOUR + "values"), scales(file, p, scheme))
                    : new TwoFourWeights(
                            pattern, file.readFloats(p + TWO_FOUR + "values").data());
        }
        if (names.containsKey(p + INT8)) {
            int[] shape = file.info(p + INT8).shape();
            if (shape.length != 2) {
                throw SparseInferException.invalidModel(file.path() + ": " + p + INT8 + " must be 2-D");
            }
            return new Int8Weights(shape[0], shape[1], int8Values(file, p + INT8), scales(file, p, scheme));
        }
        FloatTensor dense = file.readFloats(p + ".weight");
        return new DenseWeights(dense.matrix(-1, -1));
    }

    private static byte[] int8Values(SafetensorsFile file, String name) {
        if (file.info(name).dtype() != DType.I8) {
            throw SparseInferException.invalidModel(file.path() + ": " + name + " must be I8, is "
                    + file.info(name).dtype());
        }
        return file.readBytes(name);
    }

    /** Adds the table {@code name} (e.g. {@code embeddings.word_embeddings.weight}) as int8 with one scale per row. */
    static void writeInt8Table(String name, FloatTable table, SafetensorsWriter out) {
        Int8Table q = Int8Table.quantize(table);
        out.add(name + TABLE_INT8, DType.I8, new int[] {q.rows(), q.cols()}, q.values());
        out.addF32(name + TABLE_SCALE, new int[] {q.rows()}, q.scales());
    }

    /** Reads an int8 table and dequantises it to the fp32 heap table a model uses; errors name the file and table. */
    static FloatTable readInt8Table(String name, SafetensorsFile file) {
        return named(file, name, () -> {
            int[] shape = file.info(name + TABLE_INT8).shape();
            if (shape.length != 2) {
                throw SparseInferException.invalidModel(file.path() + ": " + name + TABLE_INT8 + " must be 2-D");
            }
            byte[] values = int8Values(file, name + TABLE_INT8);
            float[] scales = file.readFloats(name + TABLE_SCALE).vector(-1);
            return new Int8Table(shape[0], shape[1], values, scales).dequantize();
        });
    }

    private static Int8Scales scales(SafetensorsFile file, String p, Int8Scheme scheme) {
        return new Int8Scales(file.readFloats(p + SCALE).vector(-1), scheme);
    }
}
