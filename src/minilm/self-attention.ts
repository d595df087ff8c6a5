/**
 * BERT's self-attention step on flat buffers: the one flat forward of mha-lab (mhaForwardFlat) called on the layer's
 * (L, d) input as it is, with the weights' transposes kept from load, and fastForward's lazy trace over its buffers.
 * PyTorch's nn.Linear stores W^Qᵀ (out, in) row-major, which is exactly the transposed operand the flat forward
 * multiplies by: loadMiniLMModel hands the safetensors buffers over as they are (no nested copy, no transpose back).
 *
 * Dependencies: mhaForwardFlat (src/math/fast/flat-attention), _traceView, fastForward (its named overflow error),
 * _trustedLayer (a layer that is not a MultiHeadAttention is checked), _flatten and _transposeFlat (src/math/fast/convert).
 */
import type { MultiHeadAttention } from "../math/multi-head";
import type { AttentionTrace, Matrix } from "../math/trace";
import { _lazy } from "../math/_lazy";
import { _trustedLayer, LayerSizes } from "../math/_validate";
import { _flatten, _transposeFlat } from "../math/fast/convert";
import { FlatAttentionDims, FlatAttentionParams, FlatWeightsT, mhaForwardFlat } from "../math/fast/flat-attention";
import { fastForward } from "../math/fast/forward";
import { _traceView } from "../math/fast/trace-view";
import type { Dense } from "./_dense";

/** One attention layer as the flat forward takes it: sizes, paper-orientation buffers and their transposes. */
export interface _FlatAttention {
  /** the layer, checked (a MultiHeadAttention itself; another object's checked copy) */ layer: LayerSizes;
  dims: FlatAttentionDims;
  /** (d, d) W^Q … W^O, paper orientation, and the biases */ p: FlatAttentionParams;
  /** (d, d) W^Qᵀ … W^Oᵀ: PyTorch's (out, in) weights */ wT: FlatWeightsT;
}

/** The flat form of each layer (MultiHeadAttention is frozen, so its flat form never goes stale). */
const _flatOfLayer = new WeakMap<MultiHeadAttention, _FlatAttention>();

function _dims(layer: LayerSizes): FlatAttentionDims {
  const { dModel, numHeads, numKVHeads, dK, dV, kdim, vdim } = layer;
  return { dModel, numHeads, numKVHeads, dK, dV, kdim, vdim };
}

/**
 * Remember the flat form of a layer built from PyTorch's four nn.Linear (query, key, value, attention.output.dense),
 * their (out, in) weights used as the transposes as they are (loadMiniLMModel calls this once per layer).
 * @param mha the layer built from the same weights (MultiHeadAttention.fromTorchStateDict)
 * @param q, k, v, o (d, d) weights and (d,) biases in PyTorch's layout
 */
export function _keepTorchAttention(mha: MultiHeadAttention, q: Dense, k: Dense, v: Dense, o: Dense): void {
  const p = { bQ: q.bias, bK: k.bias, bV: v.bias, bO: o.bias } as FlatAttentionParams;
  const paper = (w: Dense) => () => _transposeFlat(w.weight, 0, w.inFeatures, w.outFeatures, w.inFeatures); // (in, out)
  for (const [key, w] of [["wQ", q], ["wK", k], ["wV", v], ["wO", o]] as const) _lazy(p, key, paper(w)); // the forward reads wT only: 28 MB never built
  _flatOfLayer.set(mha, { layer: mha, dims: _dims(mha), p, wT: { wQ: q.weight, wK: k.weight, wV: v.weight, wO: o.weight } });
}

/**
 * The flat form of a layer: kept at load, or built from its nested parameters (a layer made some other way), once
 * for a MultiHeadAttention (frozen); another object is checked in full first, as fastForward checks it, and not kept.
 */
export function _flatAttention(mha: MultiHeadAttention): _FlatAttention {
  const known = _flatOfLayer.get(mha);
  if (known !== undefined) return known;
  const layer = _trustedLayer(mha, "bertLayer"); // a MultiHeadAttention at once; another object: its params checked
  const { wQ, wK, wV, wO, bQ, bK, bV, bO } = layer.params;
  const v = (b: number[] | null) => (b == null ? null : Float64Array.from(b));
  const p = { wQ: _flatten(wQ), wK: _flatten(wK), wV: _flatten(wV), wO: _flatten(wO), bQ: v(bQ), bK: v(bK), bV: v(bV), bO: v(bO) };
  const t = (w: Float64Array, m: Matrix) => _transposeFlat(w, 0, m[0].length, m.length, m[0].length); // (cols, rows)
  const f = { layer, dims: _dims(layer), p, wT: { wQ: t(p.wQ, wQ), wK: t(p.wK, wK), wV: t(p.wV, wV), wO: t(p.wO, wO) } };
  if (layer === (mha as unknown)) _flatOfLayer.set(mha, f); // frozen by its constructor: never stale
  return f;
}

/**
 * Self-attention of one sequence, every head, on its flat input; the trace is fastForward's (bit for bit), its
 * nested fields built when first read, its query/key/value the nested input when first read.
 *   head_i = softmax(Q_i·K_iᵀ/√dK)·V_i,   Q = X·W^Q + b^Q (K, V alike),   a = Concat(head_0 … head_{h−1})·W^O + b^O
 * A non-finite output (weights too large) throws fastForward's error, which names the first intermediate that overflowed.
 * @param x (L·d,) the layer's input, row-major
 * @param L tokens
 * @param mha the layer
 * @param nested () → x as a nested (L, d) matrix (encode shares it with hiddenStates)
 * @return the AttentionTrace; `trace.flat.output` (L·d,) is the attention output
 */
export function _selfAttentionFlat(x: Float64Array, L: number, mha: MultiHeadAttention, nested: () => Matrix): AttentionTrace {
  const { layer, dims, p, wT } = _flatAttention(mha);
  const c = mhaForwardFlat(dims, p, 1, L, L, x, x, x, { weightsT: wT }); // output (L, d), weights (h, L, L)
  for (let i = 0; i < c.output.length; i++) {
    if (!Number.isFinite(c.output[i])) {
      fastForward(layer as MultiHeadAttention, nested()); // throws the readable path's error naming the first non-finite intermediate
      throw new Error(`self-attention output row ${Math.floor(i / dims.dModel)}, column ${i % dims.dModel} is ${c.output[i]}`);
    }
  }
  const trace: AttentionTrace = _traceView(layer, wT, { query: [], key: [], value: [], mask: null, fullyMaskedRows: [] }, c);
  for (const field of ["query", "key", "value"]) _lazy(trace, field, nested); // (L, d) the same matrix, as self-attention's
  return trace;
}
