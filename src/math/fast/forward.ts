/**
 * The fast path of MultiHeadAttention.forward: the same call, the same checks, the same trace (to rounding),
 * computed by the one flat forward (flat-attention.ts) on Float64Array buffers instead of mathjs calls on nested
 * arrays. `mha.forward(x, { kernel: "fast" })` runs this too: loading this file registers it as forward's kernel
 * "fast" (the readable math never imports the fast path; the fast path plugs into it, as a tfjs backend registers
 * its kernels).
 *
 * Dependencies: _forwardArgs, _forwardInputs (the call shapes, checks and masks forward uses), _trustedLayer,
 * mhaForwardFlat, _checkFastForward (overflow naming), _traceView (the lazy trace), convert.ts.
 */
import { _forwardArgs, _forwardInputs } from "../_forward-inputs";
import type { ForwardInputs, ForwardLayer, ForwardOptions } from "../_forward-inputs";
import { _registerForwardKernel } from "../_forward-kernels";
import { _trustedLayer } from "../_validate";
import type { LayerSizes } from "../_validate";
import type { MhaParams } from "../trace";
import type { Matrix } from "../types";
import { _cachedTransposed } from "./kernels";
import { _flatten } from "./convert";
import { FlatAttentionParams, FlatWeightsT, mhaForwardFlat } from "./flat-attention";
import { _checkFastForward } from "./forward-overflow";
import { _traceView } from "./trace-view";
import type { FastTrace } from "./trace-view";

export type { FastTrace, FlatTrace } from "./trace-view";

/** A frozen layer's parameters as flat buffers, with their transposes: built once per layer. */
const _flatLayers = new WeakMap<MhaParams, { p: FlatAttentionParams; wT: FlatWeightsT }>();

/** The flat parameters and transposes of a layer (cached when its parameters are frozen, as a constructor's are). */
function _flatLayer(params: MhaParams): { p: FlatAttentionParams; wT: FlatWeightsT } {
  const known = _flatLayers.get(params);
  if (known) return known;
  const v = (b: number[] | null) => (b == null ? null : Float64Array.from(b));
  const flat = {
    p: {
      wQ: _flatten(params.wQ), wK: _flatten(params.wK), wV: _flatten(params.wV), wO: _flatten(params.wO),
      bQ: v(params.bQ), bK: v(params.bK), bV: v(params.bV), bO: v(params.bO),
    },
    wT: {
      wQ: _cachedTransposed(params.wQ), wK: _cachedTransposed(params.wK), wV: _cachedTransposed(params.wV), wO: _cachedTransposed(params.wO),
    },
  };
  if (Object.isFrozen(params)) _flatLayers.set(params, flat);
  return flat;
}

/**
 * Multi-head attention forward pass on flat buffers, returning the same AttentionTrace as
 * `mha.forward(query, key, value, options)` (to rounding, ≤ 1e-12 relative), and accepting the same calls:
 * fastForward(mha, x), fastForward(mha, x, { causal: true }), fastForward(mha, q, k, v, options), …
 *   head_i = softmax((X_q·W_i^Q + b_i^Q)(X_k·W_g^K + b_g^K)ᵀ/√dK + M)·(X_v·W_g^V + b_g^V),  g = ⌊i·hKV / h⌋
 *   output = Concat(head_0 … head_{h−1})·W^O + b^O
 * @param mha the layer (a MultiHeadAttention; any other object is checked in full first)
 * @param query (L, dModel)
 * @param key (S, kdim), default query
 * @param value (S, vdim), default key
 * @param options { attnMask (L, S), keyPaddingMask (S,), causal }, checked like forward's
 * @return the AttentionTrace; output (L, dModel), weights (h, L, S); never NaN or Infinity; and `flat`, the same
 *   numbers as row-major Float64Arrays (FlatTrace)
 * @example (illustrative) fastForward(MultiHeadAttention.random({ dModel: 8, numHeads: 2 }), x, { causal: true }).output // returns (L, 8), equal to mha.forward(x, { causal: true }).output
 */
export function fastForward(mha: ForwardLayer, query: Matrix, options?: ForwardOptions): FastTrace;
export function fastForward(mha: ForwardLayer, query: Matrix, key: Matrix | null, options?: ForwardOptions): FastTrace;
export function fastForward(
  mha: ForwardLayer, query: Matrix, key?: Matrix | null, value?: Matrix | null, options?: ForwardOptions,
): FastTrace;
export function fastForward(mha: ForwardLayer, query: Matrix, ...rest: unknown[]): FastTrace {
  const layer = _trustedLayer(mha, "fastForward");
  const args = _forwardArgs(rest);
  const inputs = _forwardInputs(layer, query, args.key, args.value, args.options, "fastForward");
  return _fastForwardChecked(layer, query, inputs);
}

/**
 * fastForward after the checks (MultiHeadAttention.forward with kernel "fast" calls this, so the inputs are
 * checked once).
 * @param layer a trusted layer
 * @param query (L, dModel), checked
 * @param inputs what _forwardInputs returned for this call
 */
export function _fastForwardChecked(layer: LayerSizes, query: Matrix, inputs: ForwardInputs): FastTrace {
  const { L, S, key, value, mask } = inputs;
  const { p, wT } = _flatLayer(layer.params);
  const xq = _flatten(query); // (L, dModel)
  const xk = key === query ? xq : _flatten(key); // (S, kdim)
  const xv = value === key ? xk : value === query ? xq : _flatten(value); // (S, vdim)
  const dims = { dModel: layer.dModel, numHeads: layer.numHeads, numKVHeads: layer.numKVHeads, dK: layer.dK, dV: layer.dV, kdim: layer.kdim, vdim: layer.vdim };
  const c = mhaForwardFlat(dims, p, 1, L, S, xq, xk, xv, { mask: mask == null ? null : _flatten(mask), weightsT: wT });
  _checkFastForward(layer, query, key, value, mask, c); // an intermediate that is not finite: the readable path's error
  return _traceView(layer, wT, { query, key, value, mask, fullyMaskedRows: inputs.fullyMaskedRows }, c);
}

_registerForwardKernel("fast", _fastForwardChecked);
