/**
 * fastForward's trace: the readable forward's AttentionTrace as a lazy view over the flat forward's buffers (one
 * sequence). Each field is turned into nested arrays the first time it is read, then kept. The scores are
 * recomputed (q·kᵀ, the same kernel) when first read, so a call that reads only the output and weights never stores
 * them; scaledScores and maskedScores come from them with the readable path's two operations (÷ √dK, then + mask),
 * and the per-head contributions are multiplied when first read (at once when they might overflow, to fail now).
 *
 * Dependencies: _lazy, convert.ts, _matmulTransB, _checkContribution.
 */
import { _lazy } from "../_lazy";
import type { LayerSizes } from "../_validate";
import type { AttentionTrace, HeadTrace } from "../trace";
import type { Matrix } from "../types";
import { _nested, _nestedMap } from "./convert";
import type { FlatAttentionCache, FlatWeightsT } from "./flat-attention";
import { _checkContribution } from "./forward-overflow";
import { _matmulTransB } from "./kernels";

/**
 * The row-major Float64Array buffers a fast trace's nested fields are read from: what a caller that wants
 * numbers, not nested arrays, reads (as tfjs's dataSync or a PyTorch tensor gives them). Read them, do not
 * write them: the nested fields not yet read are built from them.
 */
export interface FlatTrace {
  /** (L·dModel,) trace.output, row by row */
  readonly output: Float64Array;
  /** (h·L·S,) trace.weights: head 0's rows, then head 1's, … */
  readonly weights: Float64Array;
  /** (h·L·S,) every head's scores (q·kᵀ), in the order of weights (computed when first read) */
  readonly scores: Float64Array;
  /** (L·h·dV,) trace.concat, row by row */
  readonly concat: Float64Array;
}

/** fastForward's AttentionTrace, with its flat buffers (not enumerable: spreads, JSON and clones leave them out). */
export type FastTrace = AttentionTrace & { readonly flat: FlatTrace };

/** max |entry| of a buffer, remembered for the frozen weights' transposes. */
const _maxAbsCache = new WeakMap<Float64Array, number>();
function _maxAbs(f: Float64Array, cache = false): number {
  const known = cache ? _maxAbsCache.get(f) : undefined;
  if (known !== undefined) return known;
  let m = 0;
  for (let i = 0; i < f.length; i++) m = Math.max(m, Math.abs(f[i]));
  if (cache) _maxAbsCache.set(f, m);
  return m;
}

/**
 * The AttentionTrace of one sequence, viewed over the flat forward's cache.
 * @param layer the layer (its sizes and nested weights)
 * @param wT the weights' transposes the forward used (W^O's for the contributions)
 * @param inputs the user's query, key, value, the combined (L, S) mask and the fully masked rows
 * @param c what mhaForwardFlat returned (B = 1)
 */
export function _traceView(
  layer: LayerSizes, wT: FlatWeightsT,
  inputs: { query: Matrix; key: Matrix; value: Matrix; mask: Matrix | null; fullyMaskedRows: number[] }, c: FlatAttentionCache,
): FastTrace {
  const { dModel: E, numHeads: h, numKVHeads: hKV, dK, dV, params: p } = layer;
  const { L, S, Q, K, V, weights, concat, output } = c;
  const { mask } = inputs;
  const [QW, KW, VW, CW] = [h * dK, hKV * dK, hKV * dV, h * dV];
  const nRep = h / hKV;
  const sqrtDK = Math.sqrt(dK);
  const LS = L * S;

  let scoresBuffer: Float64Array | null = null; // (h·L, S) q·kᵀ of every head
  const allScores = (): Float64Array => {
    if (scoresBuffer === null) {
      scoresBuffer = new Float64Array(h * LS);
      for (let hd = 0; hd < h; hd++) {
        const g = Math.floor(hd / nRep);
        _matmulTransB(Q, hd * dK, QW, L, dK, K, g * dK, KW, S, scoresBuffer, hd * LS); // (L, S)
      }
    }
    return scoresBuffer;
  };
  const contribution = (hd: number): Matrix => {
    const out = new Float64Array(L * E);
    _matmulTransB(concat, hd * dV, CW, L, dV, wT.wO, hd * dV, CW, E, out, 0); // (L, dModel) head_i·W^O_i
    _checkContribution(hd, out, E, dV, (i) => concat.subarray(i * CW + hd * dV, i * CW + (hd + 1) * dV), p.wO);
    return _nested(out, E, 0, L, 0, E);
  };
  // a contribution can overflow where the output does not (cancellation): then compute them now, to fail now
  const eager = _maxAbs(concat) * _maxAbs(wT.wO, true) * dV >= 1e300 ? Array.from({ length: h }, (_, hd) => contribution(hd)) : null;

  const heads: HeadTrace[] = new Array(h);
  for (let hd = 0; hd < h; hd++) {
    const head = {} as HeadTrace;
    const g = Math.floor(hd / nRep);
    const r0 = hd * L;
    _lazy(head, "q", () => _nested(Q, QW, 0, L, hd * dK, dK)); // (L, dK)
    _lazy(head, "k", () => _nested(K, KW, 0, S, g * dK, dK)); // (S, dK)
    _lazy(head, "v", () => _nested(V, VW, 0, S, g * dV, dV)); // (S, dV)
    _lazy(head, "scores", () => _nested(allScores(), S, r0, r0 + L, 0, S)); // (L, S)
    _lazy(head, "scaledScores", () => _nestedMap(allScores(), S, r0, r0 + L, (s) => s / sqrtDK)); // (L, S)
    _lazy(head, "maskedScores", () => (mask == null
      ? _nestedMap(allScores(), S, r0, r0 + L, (s) => s / sqrtDK)
      : _nestedMap(allScores(), S, r0, r0 + L, (s, i, j) => s / sqrtDK + mask[i][j]))); // (L, S)
    _lazy(head, "weights", () => _nested(weights, S, r0, r0 + L, 0, S)); // (L, S)
    _lazy(head, "output", () => _nested(concat, CW, 0, L, hd * dV, dV)); // (L, dV)
    heads[hd] = head;
  }
  const trace = {
    dModel: E, numHeads: h, numKVHeads: hKV, dK, dV, query: inputs.query, key: inputs.key, value: inputs.value, mask,
    fullyMaskedRows: inputs.fullyMaskedRows, heads,
  } as AttentionTrace;
  _lazy(trace, "weights", () => heads.map((head) => head.weights)); // (h, L, S)
  _lazy(trace, "meanWeights", () => {
    const mean = new Float64Array(LS); // Σ over heads in head order, then ÷ h (as meanOverHeads)
    for (let hd = 0; hd < h; hd++) for (let x = 0; x < LS; x++) mean[x] += weights[hd * LS + x];
    for (let x = 0; x < LS; x++) mean[x] /= h;
    return _nested(mean, S, 0, L, 0, S);
  }); // (L, S)
  _lazy(trace, "concat", () => _nested(concat, CW, 0, L, 0, CW)); // (L, h·dV)
  _lazy(trace, "contributions", () => eager ?? Array.from({ length: h }, (_, hd) => contribution(hd))); // h × (L, dModel)
  _lazy(trace, "output", () => _nested(output, E, 0, L, 0, E)); // (L, dModel)
  const flat = { output, weights, concat } as FlatTrace;
  _lazy(flat, "scores", allScores);
  Object.defineProperty(trace, "flat", { value: flat, enumerable: false });
  return trace as FastTrace;
}
