/**
 * Parameter and FLOP counts of one multi-head attention layer, for any number of heads.
 *
 * Dependencies: headSize.
 */
import { checkPositiveInt, headSize } from "./matrix";
import { _isBoolean, _isPositiveInt, _validateOptions } from "./_validate";

/**
 * The sizes mhaCost needs. kvLen, kdim and vdim default to seqLen, dModel, dModel; bias to true;
 * dK to dModel / numHeads (the paper's regime, h·dK = dModel) and dV to dK.
 */
export interface MhaCostInput {
  dModel: number;
  numHeads: number;
  /**
   * width of one head's queries and keys. Default dModel / numHeads (the total width h·dK stays dModel).
   * Give it to hold dK fixed while h grows: then W^Q, W^K, W^V are (dModel, h·dK) and W^O is (h·dV, dModel),
   * so parameters and FLOPs grow with h.
   */
  dK?: number;
  /** width of one head's values (default dK) */ dV?: number;
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
 * With dK = dModel/h (the default), every count except scale and softmaxElements is independent of h:
 * h heads cost the same as one head of width dModel ("more heads without more computation").
 * With dK held fixed (pass dK), the projections are dModel × h·dK and W^O is h·dV × dModel:
 * params = dModel·h·dK + kdim·h·dK + vdim·h·dV + h·dV·dModel (+ 2·h·dK + h·dV + dModel biases),
 * which grows linearly with h ("more heads, more parameters and computation").
 * @param input { dModel, numHeads, seqLen, kvLen?, kdim?, vdim?, bias?, dK?, dV? }
 * @example mhaCost({ dModel: 8, numHeads: 2, seqLen: 4 }).params.total // returns 288
 * @example mhaCost({ dModel: 8, numHeads: 4, seqLen: 4, dK: 4 }).params.total // returns 568  (4·8·16 weights + 3·16 + 8 biases)
 */
export function mhaCost(input: MhaCostInput): MhaCost {
  _validateOptions("mhaCost", input, {
    dModel: _isPositiveInt, numHeads: _isPositiveInt, dK: _isPositiveInt, dV: _isPositiveInt, seqLen: _isPositiveInt, kvLen: _isPositiveInt,
    kdim: _isPositiveInt, vdim: _isPositiveInt, bias: _isBoolean,
  }, ["dModel", "numHeads", "seqLen"]);
  const E = checkPositiveInt("dModel", input.dModel);
  const h = checkPositiveInt("numHeads", input.numHeads);
  const L = checkPositiveInt("seqLen", input.seqLen);
  const S = checkPositiveInt("kvLen", input.kvLen ?? L);
  const kdim = checkPositiveInt("kdim", input.kdim ?? E);
  const vdim = checkPositiveInt("vdim", input.vdim ?? E);
  const bias = input.bias ?? true;
  const dK = input.dK === undefined ? headSize("dModel", E, h) : checkPositiveInt("dK", input.dK);
  const dV = input.dV === undefined ? dK : checkPositiveInt("dV", input.dV);
  const b = bias ? 1 : 0;
  const HK = h * dK; // total query/key width (dModel in the default regime)
  const HV = h * dV; // total value width = rows of W^O

  const params = { wQ: E * HK, wK: kdim * HK, wV: vdim * HV, wO: HV * E, biases: (2 * HK + HV + E) * b, total: 0 };
  params.total = params.wQ + params.wK + params.wV + params.wO + params.biases;

  const flops = {
    qProjection: 2 * L * E * HK + b * L * HK,
    kProjection: 2 * S * kdim * HK + b * S * HK,
    vProjection: 2 * S * vdim * HV + b * S * HV,
    scores: h * 2 * L * S * dK,
    scale: h * L * S,
    weightedSum: h * 2 * L * S * dV,
    outputProjection: 2 * L * HV * E + b * L * E,
    total: 0,
  };
  flops.total = flops.qProjection + flops.kProjection + flops.vProjection + flops.scores + flops.scale +
    flops.weightedSum + flops.outputProjection;
  return { params, flops, softmaxElements: h * L * S };
}
