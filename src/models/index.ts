/**
 * mha-lab/models: trainable models composed only of mha-lab/blocks (the causal language model, the
 * encoder–decoder). Re-exports only.
 */
export {};
