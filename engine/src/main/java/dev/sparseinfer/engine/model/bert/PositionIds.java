package dev.sparseinfer.engine.model.bert;

import dev.sparseinfer.engine.backend.TokenBatch;

/**
 * Position ids as each architecture numbers them. A packed batch counts positions from zero in each sequence,
 * which is BERT's numbering; RoBERTa's {@code create_position_ids_from_input_ids} numbers the tokens that are not
 * padding from {@code padding_idx + 1} and gives padding tokens {@code padding_idx} itself, so a pad token a text
 * spells out keeps that position and does not advance the count.
 */
final class PositionIds {

    private PositionIds() {}

    /** The batch with the positions its architecture gives its tokens. */
    static TokenBatch of(TokenBatch batch, BertConfig config) {
        if (!config.architecture().positionsAfterPadding()) {
            return batch;
        }
        int pad = config.padTokenId();
        int[] ids = batch.tokenIds();
        int[] positions = new int[ids.length];
        for (int s = 0; s < batch.sequences(); s++) {
            int counted = 0;
            int end = batch.starts()[s] + batch.lengths()[s];
            for (int t = batch.starts()[s]; t < end; t++) {
                positions[t] = ids[t] == pad ? pad : pad + ++counted;
            }
        }
        return batch.withPositions(positions);
    }
}
