/**
 * The fast path of MultiHeadAttention.backward: the same gradients, computed on Float64Array buffers.
 * Two layers of API:
 * - `fastBackward(mha, trace, dOutput)`: the drop-in for `mha.backward(trace, dOutput)` (nested arrays in and out);
 * - `_mhaForwardFlat` / `_mhaBackwardFlat`: a batch of B sequences at once on flat buffers, with the
 *   gradients accumulated into caller-owned buffers. The trainer (src/train) runs on these.
 * The readable path (multi-head.ts, scaled-dot-product.ts, …) stays the reference; test/math/fast/backward.test.ts
 * proves the two equal.
 *
 * Dependencies: _backwardInputs, _flatten, _matmulTransB and _nested (./kernels).
 */
import { _backwardInputs } from "../_backward-inputs";
import type { ForwardLayer } from "../_forward-inputs";
import type { MhaGradients } from "../multi-head";
import type { AttentionTrace, Matrix, MhaParams } from "../trace";
import { _flatten, _matmulTransB, _nested } from "./kernels";

/** The sizes of a layer, as the flat kernels need them. */
export interface _FlatDims {
  /** dModel */ E: number;
  /** numHeads */ h: number;
  dK: number;
  dV: number;
  kdim: number;
  vdim: number;
}

/** A layer's parameters (or their gradients) as row-major flat buffers, paper orientation. */
export interface _FlatParams {
  /** (E, E) */ wQ: Float64Array;
  /** (kdim, E) */ wK: Float64Array;
  /** (vdim, E) */ wV: Float64Array;
  /** (E, E) */ wO: Float64Array;
  /** (E,) or null */ bQ: Float64Array | null;
  bK: Float64Array | null;
  bV: Float64Array | null;
  bO: Float64Array | null;
}

/** What _mhaForwardFlat keeps for the backward pass. */
export interface _FlatCache {
  B: number;
  L: number;
  S: number;
  /** (B·L, E) */ xq: Float64Array;
  /** (B·S, kdim) */ xk: Float64Array;
  /** (B·S, vdim) */ xv: Float64Array;
  /** (B·L, E) fused Q */ Q: Float64Array;
  /** (B·S, E) */ K: Float64Array;
  /** (B·S, E) */ V: Float64Array;
  /** (B, h, L, S) attention weights */ A: Float64Array;
  /** (B·L, E) heads side by side (after headMask) */ concat: Float64Array;
  /** (B·L, E) */ out: Float64Array;
  /** (h,) multiplier of each head's output, or null (all 1) */ headMask: Float64Array | null;
}

/** The input gradients of _mhaBackwardFlat. */
export interface _FlatInputGradients {
  /** (B·L, E) */ dXq: Float64Array;
  /** (B·S, kdim) */ dXk: Float64Array;
  /** (B·S, vdim) */ dXv: Float64Array;
}


/**
 * The transpose of a (rows, cols) block (rows at off + r·stride) into a new dense (cols, rows) buffer.
 * @example Array.from(_transposeFlat(new Float64Array([1, 2, 3, 4, 5, 6]), 0, 3, 2, 3)) // returns [1, 4, 2, 5, 3, 6]
 */
export function _transposeFlat(
  x: Float64Array, off: number, stride: number, rows: number, cols: number, out?: Float64Array,
): Float64Array {
  const t = out ?? new Float64Array(rows * cols);
  for (let r0 = 0; r0 < rows; r0 += 16) { // 16×16 tiles keep both sides in cache
    const r1 = Math.min(rows, r0 + 16);
    for (let c0 = 0; c0 < cols; c0 += 16) {
      const c1 = Math.min(cols, c0 + 16);
      for (let r = r0; r < r1; r++) {
        const o = off + r * stride;
        for (let c = c0; c < c1; c++) t[c * rows + r] = x[o + c];
      }
    }
  }
  return t; // (cols, rows)
}

/** Y (rows, dOut) = X (rows, dIn)·W (dIn, dOut) + b. */
function _linear(x: Float64Array, rows: number, dIn: number, w: Float64Array, b: Float64Array | null, dOut: number): Float64Array {
  const y = new Float64Array(rows * dOut);
  _matmulTransB(x, 0, dIn, rows, dIn, _transposeFlat(w, 0, dOut, dIn, dOut), 0, dIn, dOut, y, 0, dOut, false); // (rows, dOut)
  if (b != null) for (let i = 0; i < rows; i++) for (let j = 0; j < dOut; j++) y[i * dOut + j] += b[j];
  return y;
}

/** ∂W += Xᵀ·∂Y, ∂b += Σ_rows ∂Y, and return ∂X = ∂Y·Wᵀ (xT: Xᵀ when the caller has it). */
function _linearBackward(
  x: Float64Array, rows: number, dIn: number, w: Float64Array, dY: Float64Array, dOut: number,
  dW: Float64Array, db: Float64Array | null, xT: Float64Array = _transposeFlat(x, 0, dIn, rows, dIn), // (dIn, rows)
): Float64Array {
  const dYT = _transposeFlat(dY, 0, dOut, rows, dOut); // (dOut, rows)
  _matmulTransB(xT, 0, rows, dIn, rows, dYT, 0, rows, dOut, dW, 0, dOut, true); // (dIn, dOut)
  if (db != null) {
    for (let j = 0; j < dOut; j++) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += dYT[j * rows + i];
      db[j] += s;
    }
  }
  const dX = new Float64Array(rows * dIn);
  _matmulTransB(dY, 0, dOut, rows, dOut, w, 0, dOut, dIn, dX, 0, dIn, false); // (rows, dIn): row j of w is column j of Wᵀ
  return dX;
}

/**
 * Multi-head attention forward for B sequences at once on flat buffers, keeping what backward needs.
 *   head_i = softmax(Q_i·K_iᵀ/√dK + M)·V_i · headMask_i,   out = Concat(head_0 … head_{h−1})·W^O + b^O
 * A fully masked row gets zero weights (as the readable path).
 * @param dims the layer's sizes
 * @param p the layer's parameters, flat
 * @param xq (B·L, E) queries, xk (B·S, kdim) keys, xv (B·S, vdim) values (the same buffer for self-attention)
 * @param mask (L, S) additive mask shared by the batch (−Infinity = not allowed), or null
 * @param headMask (h,) multiplier of each head's output (0 removes a head), or null
 */
export function _mhaForwardFlat(
  dims: _FlatDims, p: _FlatParams, B: number, L: number, S: number,
  xq: Float64Array, xk: Float64Array, xv: Float64Array, mask: Float64Array | null, headMask: Float64Array | null = null,
): _FlatCache {
  const { E, h, dK, dV, kdim, vdim } = dims;
  const Q = _linear(xq, B * L, E, p.wQ, p.bQ, E); // (B·L, E)
  const K = _linear(xk, B * S, kdim, p.wK, p.bK, E); // (B·S, E)
  const V = _linear(xv, B * S, vdim, p.wV, p.bV, E); // (B·S, E)
  const A = new Float64Array(B * h * L * S); // (B, h, L, S)
  const concat = new Float64Array(B * L * E); // (B·L, E)
  const scale = 1 / Math.sqrt(dK);
  const vTBuf = new Float64Array(dV * S); // (dV, S) scratch
  for (let b = 0; b < B; b++) {
    for (let hd = 0; hd < h; hd++) {
      const aOff = (b * h + hd) * L * S;
      _matmulTransB(Q, b * L * E + hd * dK, E, L, dK, K, b * S * E + hd * dK, E, S, A, aOff, S, false); // (L, S) q·kᵀ
      for (let r = 0; r < L; r++) {
        const o = aOff + r * S;
        let max = -Infinity;
        for (let j = 0; j < S; j++) {
          const u = A[o + j] * scale + (mask == null ? 0 : mask[r * S + j]);
          A[o + j] = u;
          if (u > max) max = u;
        }
        if (max === -Infinity) {
          for (let j = 0; j < S; j++) A[o + j] = 0; // every key masked
          continue;
        }
        let sum = 0;
        for (let j = 0; j < S; j++) {
          const e = Math.exp(A[o + j] - max);
          A[o + j] = e;
          sum += e;
        }
        const inv = 1 / sum;
        for (let j = 0; j < S; j++) A[o + j] *= inv;
      }
      const cOff = b * L * E + hd * dV;
      const vT = _transposeFlat(V, b * S * E + hd * dV, E, S, dV, vTBuf); // (dV, S)
      _matmulTransB(A, aOff, S, L, S, vT, 0, S, dV, concat, cOff, E, false); // (L, dV) weights·v
      const g = headMask == null ? 1 : headMask[hd];
      if (g !== 1) for (let r = 0; r < L; r++) for (let d = 0; d < dV; d++) concat[cOff + r * E + d] *= g;
    }
  }
  const out = _linear(concat, B * L, E, p.wO, p.bO, E); // (B·L, E)
  return { B, L, S, xq, xk, xv, Q, K, V, A, concat, out, headMask };
}

/**
 * The backward pass of _mhaForwardFlat: accumulate the parameter gradients into `grads` and return the input gradients.
 *   ∂Concat = ∂Out·W^Oᵀ, ∂W^O += Concatᵀ·∂Out;  per head ∂A = ∂head·Vᵀ, ∂T = A ⊙ (∂A − rowsum(A ⊙ ∂A)),
 *   ∂Q_i = ∂T·K_i/√dK, ∂K_i = ∂Tᵀ·Q_i/√dK, ∂V_i = Aᵀ·∂head;  ∂W^Q += Xqᵀ·∂Q, ∂Xq = ∂Q·W^Qᵀ (and so for K, V)
 * @param dims the layer's sizes
 * @param p the layer's parameters (as used by the forward)
 * @param cache what _mhaForwardFlat returned
 * @param dOut (B·L, E) ∂loss/∂out
 * @param grads where ∂loss/∂params are ADDED (zero them first for a fresh gradient)
 * @return { dXq (B·L, E), dXk (B·S, kdim), dXv (B·S, vdim) } (add all three for self-attention)
 */
export function _mhaBackwardFlat(
  dims: _FlatDims, p: _FlatParams, cache: _FlatCache, dOut: Float64Array, grads: _FlatParams,
): _FlatInputGradients {
  const { E, h, dK, dV, kdim, vdim } = dims;
  const { B, L, S, Q, K, V, A, concat, headMask } = cache;
  const dConcat = _linearBackward(concat, B * L, E, p.wO, dOut, E, grads.wO, grads.bO); // (B·L, E)
  if (headMask != null) {
    for (let hd = 0; hd < h; hd++) {
      const g = headMask[hd];
      if (g === 1) continue;
      for (let r = 0; r < B * L; r++) for (let d = 0; d < dV; d++) dConcat[r * E + hd * dV + d] *= g;
    }
  }
  const dQ = new Float64Array(B * L * E); // (B·L, E)
  const dKf = new Float64Array(B * S * E); // (B·S, E)
  const dVf = new Float64Array(B * S * E); // (B·S, E)
  const dT = new Float64Array(L * S); // (L, S), reused
  const [kTBuf, dTTBuf, qTBuf, aTBuf, dHTBuf] = [dK * S, S * L, dK * L, S * L, dV * L].map((n) => new Float64Array(n)); // scratch
  const scale = 1 / Math.sqrt(dK);
  for (let b = 0; b < B; b++) {
    for (let hd = 0; hd < h; hd++) {
      const aOff = (b * h + hd) * L * S;
      const hOff = b * L * E + hd * dV; // this head's columns of concat
      const kOff = b * S * E + hd * dK;
      _matmulTransB(dConcat, hOff, E, L, dV, V, b * S * E + hd * dV, E, S, dT, 0, S, false); // (L, S) ∂A = ∂head·Vᵀ
      for (let r = 0; r < L; r++) {
        let dot = 0;
        for (let j = 0; j < S; j++) dot += A[aOff + r * S + j] * dT[r * S + j];
        for (let j = 0; j < S; j++) dT[r * S + j] = A[aOff + r * S + j] * (dT[r * S + j] - dot) * scale; // ∂scores
      }
      const kT = _transposeFlat(K, kOff, E, S, dK, kTBuf); // (dK, S)
      const dTT = _transposeFlat(dT, 0, S, L, S, dTTBuf); // (S, L)
      const qT = _transposeFlat(Q, b * L * E + hd * dK, E, L, dK, qTBuf); // (dK, L)
      const aT = _transposeFlat(A, aOff, S, L, S, aTBuf); // (S, L)
      const dHT = _transposeFlat(dConcat, hOff, E, L, dV, dHTBuf); // (dV, L)
      _matmulTransB(dT, 0, S, L, S, kT, 0, S, dK, dQ, b * L * E + hd * dK, E, false); // (L, dK) ∂Q_i = ∂T·K_i
      _matmulTransB(dTT, 0, L, S, L, qT, 0, L, dK, dKf, kOff, E, false); // (S, dK) ∂K_i = ∂Tᵀ·Q_i
      _matmulTransB(aT, 0, L, S, L, dHT, 0, L, dV, dVf, b * S * E + hd * dV, E, false); // (S, dV) ∂V_i = Aᵀ·∂head
    }
  }
  const xqT = _transposeFlat(cache.xq, 0, E, B * L, E); // (E, B·L)
  const xkT = cache.xk === cache.xq ? xqT : _transposeFlat(cache.xk, 0, kdim, B * S, kdim); // (kdim, B·S)
  const xvT = cache.xv === cache.xk ? xkT : _transposeFlat(cache.xv, 0, vdim, B * S, vdim); // (vdim, B·S)
  const dXq = _linearBackward(cache.xq, B * L, E, p.wQ, dQ, E, grads.wQ, grads.bQ, xqT); // (B·L, E)
  const dXk = _linearBackward(cache.xk, B * S, kdim, p.wK, dKf, E, grads.wK, grads.bK, xkT); // (B·S, kdim)
  const dXv = _linearBackward(cache.xv, B * S, vdim, p.wV, dVf, E, grads.wV, grads.bV, xvT); // (B·S, vdim)
  return { dXq, dXk, dXv };
}

/** The layer's sizes for the flat kernels. */
export function _flatDims(mha: ForwardLayer): _FlatDims {
  return { E: mha.dModel, h: mha.numHeads, dK: mha.dK, dV: mha.dV, kdim: mha.kdim, vdim: mha.vdim };
}

/** Flat copies of nested parameters. */
export function _flatParams(p: MhaParams): _FlatParams {
  const v = (b: number[] | null) => (b == null ? null : Float64Array.from(b));
  return {
    wQ: _flatten(p.wQ), wK: _flatten(p.wK), wV: _flatten(p.wV), wO: _flatten(p.wO),
    bQ: v(p.bQ), bK: v(p.bK), bV: v(p.bV), bO: v(p.bO),
  };
}

/** Zeroed buffers shaped like p (nulls stay null). */
export function _zeroParams(p: _FlatParams): _FlatParams {
  const z = (b: Float64Array | null) => (b == null ? null : new Float64Array(b.length));
  return {
    wQ: new Float64Array(p.wQ.length), wK: new Float64Array(p.wK.length), wV: new Float64Array(p.wV.length),
    wO: new Float64Array(p.wO.length), bQ: z(p.bQ), bK: z(p.bK), bV: z(p.bV), bO: z(p.bO),
  };
}

/** Per-head nested blocks (L, d) side by side into a flat (L, h·d) buffer. */
function _joinHeads(blocks: Matrix[], d: number): Float64Array {
  const L = blocks[0].length;
  const width = blocks.length * d;
  const f = new Float64Array(L * width);
  blocks.forEach((m, hd) => {
    for (let r = 0; r < L; r++) for (let c = 0; c < d; c++) f[r * width + hd * d + c] = m[r][c];
  });
  return f; // (L, h·d)
}

/**
 * The backward pass on Float64Array buffers: the same gradients as `mha.backward(trace, dOutput)`, sooner.
 *   (the equations of MultiHeadAttention.backward; masked pairs and fully masked rows get zero gradient)
 * Accepts traces from mha.forward or fastForward; rejects a trace from another layer, a dOutput of the
 * wrong shape or with NaN, with the same messages as mha.backward.
 * @param mha the layer (a MultiHeadAttention)
 * @param trace what mha.forward(…) or fastForward(mha, …) returned
 * @param dOutput (L, dModel) ∂loss/∂output
 * @return { dQuery (L, dModel), dKey (S, kdim), dValue (S, vdim), dParams (the shapes of mha.params) }
 * @example (illustrative) fastBackward(mha, mha.forward(x), dOutput).dParams.wQ // returns (dModel, dModel), equal to mha.backward(…)'s
 */
export function fastBackward(mha: ForwardLayer, trace: AttentionTrace, dOutput: Matrix): MhaGradients {
  const { L, S } = _backwardInputs(mha, trace, dOutput);
  const dims = _flatDims(mha);
  const { E, h, dK, dV, kdim, vdim } = dims;
  const p = _flatParams(mha.params);
  const A = new Float64Array(h * L * S); // (1, h, L, S)
  trace.heads.forEach((hd, i) => {
    for (let r = 0; r < L; r++) for (let j = 0; j < S; j++) A[(i * L + r) * S + j] = hd.weights[r][j];
  });
  const cache: _FlatCache = {
    B: 1, L, S, xq: _flatten(trace.query), xk: _flatten(trace.key), xv: _flatten(trace.value),
    Q: _joinHeads(trace.heads.map((hd) => hd.q), dK), K: _joinHeads(trace.heads.map((hd) => hd.k), dK),
    V: _joinHeads(trace.heads.map((hd) => hd.v), dV), A, concat: _flatten(trace.concat), out: _flatten(trace.output),
    headMask: null,
  };
  const grads = _zeroParams(p);
  const { dXq, dXk, dXv } = _mhaBackwardFlat(dims, p, cache, _flatten(dOutput), grads);
  const nested = (f: Float64Array, rows: number, cols: number) => _nested(f, cols, 0, rows, 0, cols);
  const vec = (b: Float64Array | null) => (b == null ? null : Array.from(b));
  return {
    dQuery: nested(dXq, L, E), dKey: nested(dXk, S, kdim), dValue: nested(dXv, S, vdim),
    dParams: {
      wQ: nested(grads.wQ, E, E), wK: nested(grads.wK, kdim, E), wV: nested(grads.wV, vdim, E), wO: nested(grads.wO, E, E),
      bQ: vec(grads.bQ), bK: vec(grads.bK), bV: vec(grads.bV), bO: vec(grads.bO),
    },
  };
}
