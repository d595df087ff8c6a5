/**
 * The layer's parameters and the trace its forward pass returns (the core types Matrix, Vector and BoolMask
 * are in types.ts, and re-exported here for the files that import them from this one).
 */

import type { Matrix, Vector } from "./types";

export type { BoolMask, Matrix, Vector } from "./types";

/**
 * Parameters of one multi-head attention layer, in the paper's orientation:
 * Q = X·wQ + bQ, so wQ is (dModel, numHeads·dK) and head i uses columns i·dK … (i+1)·dK − 1.
 * (PyTorch stores the transpose; `fromTorchStateDict` converts.)
 */
export interface MhaParams {
  /** (dModel, dModel) */ wQ: Matrix;
  /** (kdim, dModel), or (kdim, numKVHeads·dK) with grouped-query attention */ wK: Matrix;
  /** (vdim, dModel), or (vdim, numKVHeads·dV) */ wV: Matrix;
  /** (dModel, dModel): rows i·dV … (i+1)·dV − 1 belong to head i. */ wO: Matrix;
  /** (dModel,) or null when the layer has no bias. */ bQ: Vector | null;
  bK: Vector | null;
  bV: Vector | null;
  bO: Vector | null;
}

/** Everything one head computed, in the order it was computed. */
export interface HeadTrace {
  /** (L, dK) Q_i = X·W_i^Q */ q: Matrix;
  /** (S, dK) K_i (with grouped-query attention, the key head this head shares) */ k: Matrix;
  /** (S, dV) V_i (likewise) */ v: Matrix;
  /** (L, S) Q_i·K_iᵀ */ scores: Matrix;
  /** (L, S) Q_i·K_iᵀ / √dK */ scaledScores: Matrix;
  /** (L, S) scaled scores plus the additive mask (−Infinity where not allowed) */ maskedScores: Matrix;
  /** (L, S) softmax over each row; all-zero rows where every key is masked */ weights: Matrix;
  /** (L, dV) weights·V_i */ output: Matrix;
}

/** The full trace of `MultiHeadAttention.forward`. */
export interface AttentionTrace {
  dModel: number;
  numHeads: number;
  /** key/value heads (numHeads, or fewer for grouped-query attention); set by forward, optional in hand-made traces */
  numKVHeads?: number;
  dK: number;
  dV: number;
  /** set by an additive layer's forward (then each head's scaledScores equal its scores: no 1/√dK); absent = dot product */
  scoring?: "additive";
  /** (L, dModel) the query sequence that went in */ query: Matrix;
  /** (S, kdim) */ key: Matrix;
  /** (S, vdim) */ value: Matrix;
  /** (L, S) the combined additive mask that was applied (0 or −Infinity, or float values), or null */
  mask: Matrix | null;
  /** indices of query rows whose keys were all masked: their weights are all zero (PyTorch gives NaN) */
  fullyMaskedRows: number[];
  /** one entry per head */ heads: HeadTrace[];
  /** (h, L, S) attention weights of every head */ weights: Matrix[];
  /** (L, S) weights averaged over heads: what PyTorch returns by default (average_attn_weights=True).
   *  Always set by forward; optional only so hand-built traces need not fill it. */
  meanWeights?: Matrix;
  /** (L, h·dV) the heads side by side */ concat: Matrix;
  /** (h, L, dModel) head_i · W^O[rows of head i]; their sum plus bO equals output */
  contributions: Matrix[];
  /** (L, dModel) concat·W^O + bO */ output: Matrix;
}
