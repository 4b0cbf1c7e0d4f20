package dev.sparseinfer.models.train;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.format.DenseWeights;
import dev.sparseinfer.engine.format.FloatMatrix;
import dev.sparseinfer.engine.format.LayerNormWeights;
import dev.sparseinfer.engine.format.Linear;
import dev.sparseinfer.engine.format.LinearWeights;
import dev.sparseinfer.engine.model.bert.BertLayer;
import dev.sparseinfer.engine.model.bert.BertWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The student's trainable weights: every encoder layer's linear layers and LayerNorms as fp32 {@link Parameter}s,
 * with the embeddings kept frozen as they are. Weights that are zero in a sparse starting model (2:4 or CSR) start
 * pruned, so a one-shot pruned model keeps its mask.
 */
public final class StudentModel {

    /** One encoder layer's parameters, in the order of the forward pass. */
    record Layer(
            Parameter query,
            Parameter queryBias,
            Parameter key,
            Parameter keyBias,
            Parameter value,
            Parameter valueBias,
            Parameter attentionOutput,
            Parameter attentionOutputBias,
            Parameter attentionNormGamma,
            Parameter attentionNormBeta,
            Parameter intermediate,
            Parameter intermediateBias,
            Parameter output,
            Parameter outputBias,
            Parameter outputNormGamma,
            Parameter outputNormBeta,
            int heads) {

        List<Parameter> parameters() {
            return List.of(
                    query,
                    queryBias,
                    key,
                    keyBias,
                    value,
                    valueBias,
                    attentionOutput,
                    attentionOutputBias,
                    attentionNormGamma,
                    attentionNormBeta,
                    intermediate,
                    intermediateBias,
                    output,
                    outputBias,
                    outputNormGamma,
                    outputNormBeta);
        }
    }

    private final BertWeights frozen;
    private final List<Layer> layers;

    private StudentModel(BertWeights frozen, List<Layer> layers) {
        this.frozen = frozen;
        this.layers = List.copyOf(layers);
    }

    /** A student starting from {@code start}'s weights (any float format); int8 weights are refused. */
    public static StudentModel of(BertWeights start) {
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < start.layers().size(); i++) {
            BertLayer l = start.layers().get(i);
            String p = "encoder.layer." + i + ".";
            List<Parameter> q = linear(p + "attention.self.query", l.query());
            List<Parameter> k = linear(p + "attention.self.key", l.key());
            List<Parameter> v = linear(p + "attention.self.value", l.value());
            List<Parameter> o = linear(p + "attention.output.dense", l.attentionOutput());
            List<Parameter> n1 = norm(p + "attention.output.LayerNorm", l.attentionNorm());
            List<Parameter> f1 = linear(p + "intermediate.dense", l.intermediate());
            List<Parameter> f2 = linear(p + "output.dense", l.output());
            List<Parameter> n2 = norm(p + "output.LayerNorm", l.outputNorm());
            layers.add(new Layer(
                    q.get(0),
                    q.get(1),
                    k.get(0),
                    k.get(1),
                    v.get(0),
                    v.get(1),
                    o.get(0),
                    o.get(1),
                    n1.get(0),
                    n1.get(1),
                    f1.get(0),
                    f1.get(1),
                    f2.get(0),
                    f2.get(1),
                    n2.get(0),
                    n2.get(1),
                    l.query().outFeatures() / start.config().headDim()));
        }
        return new StudentModel(start, layers);
    }

    private static List<Parameter> linear(String name, Linear linear) {
        LinearWeights weights = linear.weights();
        if (weights.formatName().contains("int8")) {
            throw SparseInferException.invalidArgument(
                    name + " is " + weights.formatName() + "; distillation starts from an fp32 model");
        }
        FloatMatrix dense = weights.toDense();
        Parameter w = new Parameter(
                name + ".weight", dense.rows(), dense.cols(), dense.data().clone());
        if (!(weights instanceof DenseWeights)) {
            boolean[] zero = new boolean[dense.data().length];
            for (int i = 0; i < zero.length; i++) {
                zero[i] = dense.data()[i] == 0f;
            }
            w.prune(zero);
        }
        Parameter b = new Parameter(
                name + ".bias", 1, linear.bias().length, linear.bias().clone());
        return List.of(w, b);
    }

    private static List<Parameter> norm(String name, LayerNormWeights n) {
        return List.of(
                new Parameter(name + ".weight", 1, n.features(), n.gamma().clone()),
                new Parameter(name + ".bias", 1, n.features(), n.beta().clone()));
    }

    BertWeights frozen() {
        return frozen;
    }

    List<Layer> layers() {
        return layers;
    }

    /** Every trainable parameter, in a fixed order (the order checkpoints store them in). */
    List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>();
        for (Layer l : layers) {
            all.addAll(l.parameters());
        }
        return all;
    }

    /** The weight matrices of the linear layers: what is pruned. */
    List<Parameter> prunable() {
        return parameters().stream().filter(Parameter::prunable).toList();
    }

    /** The fraction of linear-layer weights pruned. */
    public double sparsity() {
        long pruned = 0;
        long total = 0;
        for (Parameter p : prunable()) {
            pruned += Math.round(p.sparsity() * p.value().length);
            total += p.value().length;
        }
        return (double) pruned / total;
    }

    /** The current weights as a model, each linear layer stored by {@code format} (a copy: training may go on). */
    public BertWeights toWeights(Function<FloatMatrix, LinearWeights> format) {
        List<BertLayer> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            BertLayer original = frozen.layers().get(i);
            out.add(new BertLayer(
                    linear(original.query(), l.query(), l.queryBias(), format),
                    linear(original.key(), l.key(), l.keyBias(), format),
                    linear(original.value(), l.value(), l.valueBias(), format),
                    linear(original.attentionOutput(), l.attentionOutput(), l.attentionOutputBias(), format),
                    norm(original.attentionNorm(), l.attentionNormGamma(), l.attentionNormBeta()),
                    linear(original.intermediate(), l.intermediate(), l.intermediateBias(), format),
                    linear(original.output(), l.output(), l.outputBias(), format),
                    norm(original.outputNorm(), l.outputNormGamma(), l.outputNormBeta())));
        }
        return new BertWeights(frozen.config(), frozen.embeddings(), out);
    }

    private static Linear linear(
            Linear original, Parameter w, Parameter b, Function<FloatMatrix, LinearWeights> format) {
        return new Linear(
                original.name(),
                format.apply(new FloatMatrix(w.rows(), w.cols(), w.value().clone())),
                b.value().clone());
    }

    private static LayerNormWeights norm(LayerNormWeights original, Parameter gamma, Parameter beta) {
        return new LayerNormWeights(
                original.name(), gamma.value().clone(), beta.value().clone());
    }
}
