package dev.sparseinfer.models.quantize;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.format.CsrInt8Weights;
import dev.sparseinfer.engine.format.CsrWeights;
import dev.sparseinfer.engine.format.DenseWeights;
import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.engine.format.Int8Weights;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.format.LinearWeights;
import dev.sparseinfer.engine.format.TwoFourInt8Weights;
import dev.sparseinfer.engine.format.TwoFourWeights;
import dev.sparseinfer.engine.model.bert.BertLayer;
import dev.sparseinfer.engine.model.bert.BertWeights;

/**
 * Symmetric per-output-channel int8 quantisation of every linear layer, keeping its sparsity: dense becomes int8,
 * CSR becomes CSR int8, 2:4 becomes 2:4 int8 (one format, so the sparsity is not lost in a second pass). Embedding
 * tables, biases and LayerNorms stay fp32.
 */
public final class Int8Quantizer {

    private Int8Quantizer() {}

    public static BertWeights quantize(BertWeights model, Int8Scheme scheme) {
        return new BertWeights(
                model.config(),
                model.embeddings(),
                model.layers().stream()
                        .map(l -> new BertLayer(
                                quantize(l.query(), scheme),
                                quantize(l.key(), scheme),
                                quantize(l.value(), scheme),
                                quantize(l.attentionOutput(), scheme),
                                l.attentionNorm(),
                                quantize(l.intermediate(), scheme),
                                quantize(l.output(), scheme),
                                l.outputNorm()))
                        .toList());
    }

    static Linear quantize(Linear linear, Int8Scheme scheme) {
        LinearWeights q = switch (linear.weights()) {
            case DenseWeights d -> Int8Weights.quantize(d.matrix(), scheme);
            case CsrWeights c -> CsrInt8Weights.quantize(c, scheme);
            case TwoFourWeights t -> TwoFourInt8Weights.quantize(t, scheme);
            case Int8Weights w -> alreadyQuantized(linear);
            case CsrInt8Weights w -> alreadyQuantized(linear);
            case TwoFourInt8Weights w -> alreadyQuantized(linear);
        };
        return new Linear(linear.name(), q, linear.bias());
    }

    private static LinearWeights alreadyQuantized(Linear linear) {
        throw SparseInferException.invalidArgument(
                linear.name() + " is already " + linear.weights().formatName());
    }
}
