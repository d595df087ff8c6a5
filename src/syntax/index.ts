/**
 * mha-lab/syntax: heads scored against dependency parses (Clark et al. 2019), with baselines, held-out
 * halves and bootstrap intervals. Re-exports only.
 */
export {};
