// mha-lab/fast: the fast path, the same calls as the readable math on Float64Array buffers. Re-exports only.
// Loading it registers fastForward as forward's kernel "fast".
export { fastForward } from "./forward";
export type { FastTrace, FlatTrace } from "./forward";
export { fastBackward, flatDims, flatParams } from "./backward";
export { mhaBackwardFlat, mhaForwardFlat, zeroFlatParams } from "./flat-attention";
export type {
  FlatAttentionCache, FlatAttentionDims, FlatAttentionInputGradients, FlatAttentionOptions, FlatAttentionParams, FlatWeightsT,
} from "./flat-attention";
export type { Scoring } from "../types";
export { fastMatmul, installFastMultiply, uninstallFastMultiply } from "./mathjs";
export type { MathWithMultiply } from "./mathjs";
