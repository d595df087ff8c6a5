/**
 * The fast path of MultiHeadAttention.backward: `fastBackward(mha, trace, dOutput)`, the drop-in for
 * `mha.backward(trace, dOutput)` (nested arrays in and out), computed by mhaBackwardFlat (flat-attention.ts).
 * It checks what backward checks, with the same messages: the whole trace against the layer, dOutput's shape and
 * finiteness.
 *
 * Also the old names of the flat forward and backward (_mhaForwardFlat, _mhaBackwardFlat, _FlatDims, …), kept as
 * thin deprecated aliases of flat-attention.ts's mhaForwardFlat and mhaBackwardFlat for the callers not yet moved.
 *
 * Dependencies: _backwardInputs, mhaForwardFlat, mhaBackwardFlat, convert.ts.
 */
import { _backwardInputs } from "../_backward-inputs";
import type { ForwardLayer } from "../_forward-inputs";
import type { MhaGradients } from "../multi-head";
import type { AttentionTrace, MhaParams } from "../trace";
import type { Matrix } from "../types";
import { _flatten, _nested } from "./convert";
import {
  FlatAttentionCache, FlatAttentionDims, FlatAttentionInputGradients, FlatAttentionParams, mhaBackwardFlat, mhaForwardFlat,
  zeroFlatParams,
} from "./flat-attention";

export { _transposeFlat } from "./convert"; // where src/train and src/blocks import it from

/** The flat dimensions of a layer. */
export function flatDims(mha: ForwardLayer): FlatAttentionDims {
  return {
    dModel: mha.dModel, numHeads: mha.numHeads, numKVHeads: mha.numKVHeads ?? mha.numHeads, dK: mha.dK, dV: mha.dV,
    kdim: mha.kdim, vdim: mha.vdim,
  };
}

/** Flat copies of nested parameters. */
export function flatParams(p: MhaParams): FlatAttentionParams {
  const v = (b: number[] | null) => (b == null ? null : Float64Array.from(b));
  return {
    wQ: _flatten(p.wQ), wK: _flatten(p.wK), wV: _flatten(p.wV), wO: _flatten(p.wO),
    bQ: v(p.bQ), bK: v(p.bK), bV: v(p.bV), bO: v(p.bO),
  };
}

/** Per-head nested blocks (rows, d), one per key/value or query head, side by side into a flat (rows, n·d) buffer. */
function _joinHeads(blocks: Matrix[], d: number): Float64Array {
  const rows = blocks[0].length;
  const width = blocks.length * d;
  const f = new Float64Array(rows * width);
  blocks.forEach((m, hd) => {
    for (let r = 0; r < rows; r++) for (let c = 0; c < d; c++) f[r * width + hd * d + c] = m[r][c];
  });
  return f; // (rows, n·d)
}

/**
 * The backward pass on Float64Array buffers: the same gradients as `mha.backward(trace, dOutput)` (to rounding).
 *   (the equations of MultiHeadAttention.backward; masked pairs and fully masked rows get zero gradient)
 * Accepts traces from mha.forward or fastForward; checks the whole trace against the layer and dOutput as
 * mha.backward does, with the same messages (an edited heads[2].weights is an error naming head 3).
 * @param mha the layer (a MultiHeadAttention)
 * @param trace what mha.forward(…) or fastForward(mha, …) returned
 * @param dOutput (L, dModel) ∂loss/∂output
 * @return { dQuery (L, dModel), dKey (S, kdim), dValue (S, vdim), dParams (the shapes of mha.params) }
 * @example (illustrative) fastBackward(mha, mha.forward(x), dOutput).dParams.wQ // returns (dModel, dModel), equal to mha.backward(…)'s
 */
export function fastBackward(mha: ForwardLayer, trace: AttentionTrace, dOutput: Matrix): MhaGradients {
  const { L, S } = _backwardInputs(mha, trace, dOutput, "fastBackward");
  const dims = flatDims(mha);
  const { dModel: E, numHeads: h, numKVHeads: hKV, dK, dV, kdim, vdim } = dims;
  const nRep = h / hKV;
  const p = flatParams(mha.params);
  const weights = new Float64Array(h * L * S); // (1, h, L, S)
  trace.heads.forEach((hd, i) => {
    for (let r = 0; r < L; r++) for (let j = 0; j < S; j++) weights[(i * L + r) * S + j] = hd.weights[r][j];
  });
  const kvHeads = Array.from({ length: hKV }, (_, g) => trace.heads[g * nRep]); // each key/value head once
  const cache: FlatAttentionCache = {
    B: 1, L, S, xq: _flatten(trace.query), xk: _flatten(trace.key), xv: _flatten(trace.value),
    Q: _joinHeads(trace.heads.map((hd) => hd.q), dK), K: _joinHeads(kvHeads.map((hd) => hd.k), dK),
    V: _joinHeads(kvHeads.map((hd) => hd.v), dV), weights, concat: _flatten(trace.concat), output: _flatten(trace.output),
    mask: null, causal: false, keyPadding: null, headMask: null,
  };
  const grads = zeroFlatParams(p);
  const { dXq, dXk, dXv } = mhaBackwardFlat(dims, p, cache, _flatten(dOutput), grads);
  const nested = (f: Float64Array, rows: number, cols: number) => _nested(f, cols, 0, rows, 0, cols);
  const vec = (b: Float64Array | null) => (b == null ? null : Array.from(b));
  return {
    dQuery: nested(dXq, L, E), dKey: nested(dXk, S, kdim), dValue: nested(dXv, S, vdim),
    dParams: {
      wQ: nested(grads.wQ, E, h * dK), wK: nested(grads.wK, kdim, hKV * dK), wV: nested(grads.wV, vdim, hKV * dV),
      wO: nested(grads.wO, h * dV, E), bQ: vec(grads.bQ), bK: vec(grads.bK), bV: vec(grads.bV), bO: vec(grads.bO),
    },
  };
}

// ---------------------------------------------------------------- deprecated names (thin aliases)

/** @deprecated the layer's sizes in the old names: use FlatAttentionDims (flatDims). */
export interface _FlatDims {
  /** dModel */ E: number;
  /** numHeads */ h: number;
  dK: number;
  dV: number;
  kdim: number;
  vdim: number;
  /** key/value heads (default h) */ hKV?: number;
}

/** @deprecated use FlatAttentionParams. */
export type _FlatParams = FlatAttentionParams;

/** @deprecated use FlatAttentionCache: the old cache names its weights A and its output out. */
export type _FlatCache = FlatAttentionCache & { /** = weights */ A: Float64Array; /** = output */ out: Float64Array };

/** @deprecated use FlatAttentionInputGradients. */
export type _FlatInputGradients = FlatAttentionInputGradients;

function _dims(d: _FlatDims): FlatAttentionDims {
  return { dModel: d.E, numHeads: d.h, numKVHeads: d.hKV ?? d.h, dK: d.dK, dV: d.dV, kdim: d.kdim, vdim: d.vdim };
}

/** @deprecated use flatDims (the new names). */
export function _flatDims(mha: ForwardLayer): _FlatDims {
  return { E: mha.dModel, h: mha.numHeads, dK: mha.dK, dV: mha.dV, kdim: mha.kdim, vdim: mha.vdim, hKV: mha.numKVHeads ?? mha.numHeads };
}

/** @deprecated use flatParams. */
export const _flatParams = flatParams;

/** @deprecated use zeroFlatParams. */
export const _zeroParams = zeroFlatParams;

/**
 * @deprecated use mhaForwardFlat(dims, p, B, L, S, xq, xk, xv, { mask, headMask }), which computes s / √dK (as the
 * readable path) where this name used to compute s·(1/√dK).
 */
export function _mhaForwardFlat(
  dims: _FlatDims, p: FlatAttentionParams, B: number, L: number, S: number,
  xq: Float64Array, xk: Float64Array, xv: Float64Array, mask: Float64Array | null, headMask: Float64Array | null = null,
): _FlatCache {
  const c = mhaForwardFlat(_dims(dims), p, B, L, S, xq, xk, xv, { mask, headMask });
  return Object.assign(c, { A: c.weights, out: c.output });
}

/** @deprecated use mhaBackwardFlat. */
export function _mhaBackwardFlat(
  dims: _FlatDims, p: FlatAttentionParams, cache: FlatAttentionCache, dOut: Float64Array, grads: FlatAttentionParams,
): FlatAttentionInputGradients {
  return mhaBackwardFlat(_dims(dims), p, cache, dOut, grads);
}
