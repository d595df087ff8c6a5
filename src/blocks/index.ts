/**
 * mha-lab/blocks: the shared transformer blocks every model is built from, one block per file with its
 * forward and backward side by side (linear, embedding, norms, feed-forwards, rotary positions, attention).
 * Re-exports only.
 */
export {};
