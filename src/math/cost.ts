/**
 * Parameter and FLOP counts of one multi-head attention layer, for any number of heads.
 *
 * Dependencies: headSize.
 */
import { checkPositiveInt, headSize } from "./matrix";

/** The sizes mhaCost needs. kvLen, kdim and vdim default to seqLen, dModel, dModel; bias to true. */
export interface MhaCostInput {
  dModel: number;
  numHeads: number;
  /** L, the number of queries */ seqLen: number;
  /** S, the number of keys/values (default seqLen) */ kvLen?: number;
  kdim?: number;
  vdim?: number;
  bias?: boolean;
}

/** Counts returned by mhaCost. */
export interface MhaCost {
  params: { wQ: number; wK: number; wV: number; wO: number; biases: number; total: number };
  flops: {
    qProjection: number;
    kProjection: number;
    vProjection: number;
    scores: number;
    scale: number;
    weightedSum: number;
    outputProjection: number;
    total: number;
  };
  /** h·L·S: how many softmax entries are computed (softmax itself is not in flops.total) */
  softmaxElements: number;
}

/**
 * Count the parameters and floating-point operations of one forward pass.
 *
 * What is counted (one multiply-add = 2 FLOPs, a lone add or multiply = 1 FLOP):
 *   - a product (m, n)·(n, p): 2·m·n·p  (the usual convention; the exact scalar count is m·p·(2n − 1))
 *   - a bias add on (m, p): m·p
 *   - the 1/√dK scaling: one multiply per score, h·L·S
 *   - NOT counted: softmax (exp, sum, divide; see softmaxElements), mask additions, reshapes.
 * Per layer: Q = L·dModel² , K = S·kdim·dModel, V = S·vdim·dModel (×2, + bias),
 *   scores h·2·L·S·dK = 2·L·S·dModel, weights·V 2·L·S·dModel, output 2·L·dModel² (+ bias).
 * With dK = dModel/h, every count except scale and softmaxElements is independent of h:
 * h heads cost the same as one head of width dModel.
 * @param input { dModel, numHeads, seqLen, kvLen?, kdim?, vdim?, bias? }
 * @example mhaCost({ dModel: 8, numHeads: 2, seqLen: 4 }).params.total // returns 288
 */
export function mhaCost(input: MhaCostInput): MhaCost {
  if (input == null || typeof input !== "object") throw new Error("mhaCost needs { dModel, numHeads, seqLen }");
  const E = checkPositiveInt("dModel", input.dModel);
  const h = checkPositiveInt("numHeads", input.numHeads);
  const L = checkPositiveInt("seqLen", input.seqLen);
  const S = checkPositiveInt("kvLen", input.kvLen ?? L);
  const kdim = checkPositiveInt("kdim", input.kdim ?? E);
  const vdim = checkPositiveInt("vdim", input.vdim ?? E);
  const bias = input.bias ?? true;
  const dK = headSize("dModel", E, h);
  const b = bias ? 1 : 0;

  const params = { wQ: E * E, wK: kdim * E, wV: vdim * E, wO: E * E, biases: 4 * E * b, total: 0 };
  params.total = params.wQ + params.wK + params.wV + params.wO + params.biases;

  const flops = {
    qProjection: 2 * L * E * E + b * L * E,
    kProjection: 2 * S * kdim * E + b * S * E,
    vProjection: 2 * S * vdim * E + b * S * E,
    scores: h * 2 * L * S * dK,
    scale: h * L * S,
    weightedSum: h * 2 * L * S * dK,
    outputProjection: 2 * L * E * E + b * L * E,
    total: 0,
  };
  flops.total = flops.qProjection + flops.kProjection + flops.vProjection + flops.scores + flops.scale +
    flops.weightedSum + flops.outputProjection;
  return { params, flops, softmaxElements: h * L * S };
}
