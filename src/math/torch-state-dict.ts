/**
 * PyTorch state-dict I/O for MultiHeadAttention: nn.MultiheadAttention.state_dict() (as nested arrays)
 * to our paper-orientation parameters and back. PyTorch computes x·Wᵀ, so wQ = W_qᵀ etc.
 * MultiHeadAttention.fromTorchStateDict and mha.toTorchStateDict() call these.
 *
 * Dependencies: checkMatrix, checkVector, checkPositiveInt, headSize, transpose.
 */
import { checkMatrix, checkPositiveInt, checkVector, headSize, shapeOf, transpose } from "./matrix";
import { _checkParams, _isPositiveInt, _isString, _validateOptions } from "./_validate";
import type { Matrix, MhaParams, Vector } from "./trace";

/** PyTorch nn.MultiheadAttention.state_dict() with every tensor turned into nested arrays (.tolist()). */
export type TorchStateDict = { [key: string]: Matrix | Vector };

/** Options of MultiHeadAttention.fromTorchStateDict. */
export interface FromTorchOptions {
  numHeads: number;
  /** key prefix, e.g. "self_attn." for a TransformerEncoderLayer's state dict (default "") */ prefix?: string;
}

const TORCH_KEYS = [
  "in_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias",
];

/**
 * Load nn.MultiheadAttention.state_dict() given as nested arrays:
 * in_proj_weight (3E, E) = [W_q; W_k; W_v] stacked by rows, in_proj_bias (3E,), out_proj.weight (E, E),
 * out_proj.bias (E,); or q_proj_weight (E, E), k_proj_weight (E, kdim), v_proj_weight (E, vdim) when
 * kdim or vdim ≠ E; no bias keys for bias=False. PyTorch computes x·Wᵀ, so wQ = W_qᵀ etc.
 * add_bias_kv (bias_k, bias_v) is not supported.
 * @param stateDict e.g. { in_proj_weight, in_proj_bias, "out_proj.weight", "out_proj.bias" }
 * @param options { numHeads, prefix? }
 * @example paramsFromTorchStateDict({ in_proj_weight: [[1, 2], [3, 4], [5, 6], [7, 8], [9, 10], [11, 12]], "out_proj.weight": [[1, 0], [0, 1]] }, { numHeads: 1 }).params.wQ // returns [[1, 3], [2, 4]]
 */
export function paramsFromTorchStateDict(stateDict: TorchStateDict, options: FromTorchOptions): { params: MhaParams; numHeads: number } {
  if (stateDict == null || typeof stateDict !== "object") throw new Error("stateDict must be an object of nested arrays");
  _validateOptions("fromTorchStateDict", options, { numHeads: _isPositiveInt, prefix: _isString }, ["numHeads"]);
  const h = checkPositiveInt("numHeads", options.numHeads);
  const prefix = options.prefix ?? "";
  for (const key of Object.keys(stateDict)) {
    if (!key.startsWith(prefix)) continue;
    const k = key.slice(prefix.length);
    if (k === "bias_k" || k === "bias_v") throw new Error(`stateDict has ${key}: add_bias_kv=True is not supported`);
    if (!TORCH_KEYS.includes(k)) throw new Error(`stateDict has an unknown key "${key}"; expected ${TORCH_KEYS.join(", ")}`);
  }
  const get = (k: string): unknown => stateDict[prefix + k];
  const name = (k: string) => `stateDict["${prefix + k}"]`;
  if (get("out_proj.weight") === undefined) throw new Error(`${name("out_proj.weight")} is missing`);
  const [E] = shapeOf(checkMatrix(name("out_proj.weight"), get("out_proj.weight")));
  const isE = { n: E, why: `out_proj.weight has ${E} rows (E)` };
  const outW = checkMatrix(name("out_proj.weight"), get("out_proj.weight"), { cols: isE }); // (E, E)
  headSize("dModel", E, h);

  let Wq: Matrix, Wk: Matrix, Wv: Matrix; // PyTorch orientation (E, in)
  if (get("in_proj_weight") !== undefined) {
    for (const k of ["q_proj_weight", "k_proj_weight", "v_proj_weight"]) {
      if (get(k) !== undefined) throw new Error(`stateDict has both in_proj_weight and ${k}; use one layout`);
    }
    const inW = checkMatrix(name("in_proj_weight"), get("in_proj_weight"), {
      rows: { n: 3 * E, why: `3·E is ${3 * E}` }, cols: isE,
    }); // (3E, E)
    [Wq, Wk, Wv] = [inW.slice(0, E), inW.slice(E, 2 * E), inW.slice(2 * E)]; // 3 × (E, E)
  } else {
    for (const k of ["q_proj_weight", "k_proj_weight", "v_proj_weight"]) {
      if (get(k) === undefined) throw new Error(`${name(k)} is missing (and there is no in_proj_weight)`);
    }
    Wq = checkMatrix(name("q_proj_weight"), get("q_proj_weight"), { rows: isE, cols: isE }); // (E, E)
    Wk = checkMatrix(name("k_proj_weight"), get("k_proj_weight"), { rows: isE }); // (E, kdim)
    Wv = checkMatrix(name("v_proj_weight"), get("v_proj_weight"), { rows: isE }); // (E, vdim)
  }

  const inB = get("in_proj_bias");
  const outB = get("out_proj.bias");
  if ((inB === undefined) !== (outB === undefined)) {
    throw new Error(`stateDict has ${inB === undefined ? "out_proj.bias but no in_proj_bias" : "in_proj_bias but no out_proj.bias"}`);
  }
  let biases: { bQ: Vector | null; bK: Vector | null; bV: Vector | null; bO: Vector | null } = {
    bQ: null, bK: null, bV: null, bO: null,
  };
  if (inB !== undefined) {
    const b = checkVector(name("in_proj_bias"), inB, { n: 3 * E, why: `3·E is ${3 * E}` }); // (3E,)
    const bO = checkVector(name("out_proj.bias"), outB, isE); // (E,)
    biases = { bQ: b.slice(0, E), bK: b.slice(E, 2 * E), bV: b.slice(2 * E), bO: bO.slice() };
  }
  return {
  params: {
      wQ: transpose(Wq), // (E, E)
      wK: transpose(Wk), // (kdim, E)
      wV: transpose(Wv), // (vdim, E)
      wO: transpose(outW), // (E, E)
      ...biases,
    },
  numHeads: h,
};
}

/**
 * The inverse of fromTorchStateDict: PyTorch keys and layouts (in_proj_weight when kdim = vdim = dModel,
 * q/k/v_proj_weight otherwise), ready for `torch.tensor(...)` and `load_state_dict`.
 * @return { in_proj_weight (3E, E), in_proj_bias (3E,), "out_proj.weight" (E, E), "out_proj.bias" (E,) } or the separate form
 * @example Object.keys(MultiHeadAttention.random({ dModel: 4, numHeads: 2 }).toTorchStateDict())
 *   // returns ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]
 */
export function torchStateDictFromParams(p: MhaParams, dims: { dModel: number; kdim: number; vdim: number }): TorchStateDict {
  _checkParams(p, 1, "torchStateDictFromParams");
  const present = [p.bQ, p.bK, p.bV, p.bO].map((b) => b != null);
  if (present.some((x) => x !== present[0])) {
    const names = ["bQ", "bK", "bV", "bO"].filter((_, i) => !present[i]).join(", ");
    throw new Error(`PyTorch's layer has all four biases or none, but only ${names} ${names.includes(",") ? "are" : "is"} null`);
  }
  const sd: TorchStateDict = {};
  if (dims.kdim === dims.dModel && dims.vdim === dims.dModel) {
    sd.in_proj_weight = [...transpose(p.wQ), ...transpose(p.wK), ...transpose(p.wV)]; // (3E, E)
  } else {
    sd.q_proj_weight = transpose(p.wQ); // (E, E)
    sd.k_proj_weight = transpose(p.wK); // (E, kdim)
    sd.v_proj_weight = transpose(p.wV); // (E, vdim)
  }
  if (present[0]) sd.in_proj_bias = [...(p.bQ as Vector), ...(p.bK as Vector), ...(p.bV as Vector)]; // (3E,)
  sd["out_proj.weight"] = transpose(p.wO); // (E, E)
  if (present[0]) sd["out_proj.bias"] = (p.bO as Vector).slice(); // (E,)
  return sd;
}
