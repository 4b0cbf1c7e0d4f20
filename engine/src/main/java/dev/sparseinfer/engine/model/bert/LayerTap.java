package dev.sparseinfer.engine.model.bert;

/**
 * Watches a forward pass from inside: the input of every linear layer and the output of every encoder layer.
 * Calibration (Wanda's input norms, SparseGPT's Hessians, layer importance) is built on this.
 */
public interface LayerTap {

    /** Which linear layers of an encoder layer an input feeds. */
    enum Site {
        /** The layer's input, fed to query, key and value. */
        ATTENTION_INPUT,
        /** The attention context, fed to the attention output projection. */
        ATTENTION_CONTEXT,
        /** The attention block's output, fed to the FFN's intermediate projection. */
        FFN_INPUT,
        /** The GELU output, fed to the FFN's output projection. */
        FFN_HIDDEN
    }

    /**
     * The rows of {@code x} are the batch's tokens; the array is a copy the tap may keep. Return false to end the
     * pass here (a calibration step that needed only this input saves the rest of the layer).
     */
    boolean linearInput(int layer, Site site, float[] x, int rows, int cols);

    /** The encoder layer's output; return false to end the pass here. */
    boolean layerOutput(int layer, float[] h, int rows, int cols);
}
