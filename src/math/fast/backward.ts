/**
 * The fast path of MultiHeadAttention.backward: the same gradients, computed on Float64Array buffers.
 * Two layers of API:
 * - `fastBackward(mha, trace, dOutput)`: the drop-in for `mha.backward(trace, dOutput)` (nested arrays in and out);
 * - `_mhaForwardFlat` / `_mhaBackwardFlat`: a batch of B sequences at once on flat buffers, with the
 *   gradients accumulated into caller-owned buffers. The trainer (src/train) runs on these.
 * The readable path (multi-head.ts, scaled-dot-product.ts, …) stays the reference; test/math-fast/backward.test.ts
 * proves the two equal.
 *
 * Dependencies: _backwardInputs, _matmulTransB (./kernels).
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

/** C (n, m) (+)= A (n, k)·B (k, m); rows of A at aOff + i·aStride, of B at bOff + p·bStride, of C at cOff + i·cStride. */
function _mm(
  a: Float64Array, aOff: number, aStride: number, n: number, k: number,
  b: Float64Array, bOff: number, bStride: number, m: number,
  c: Float64Array, cOff: number, cStride: number, accumulate: boolean,
): void {
  for (let i = 0; i < n; i++) {
    const c0 = cOff + i * cStride;
    if (!accumulate) for (let j = 0; j < m; j++) c[c0 + j] = 0;
    const a0 = aOff + i * aStride;
    for (let p = 0; p < k; p++) {
      const x = a[a0 + p];
      if (x === 0) continue;
      const b0 = bOff + p * bStride;
      for (let j = 0; j < m; j++) c[c0 + j] += x * b[b0 + j];
    }
  }
}

/** C (n, m) (+)= Aᵀ·B with A (k, n) and B (k, m); the same stride conventions as _mm. */
function _mmTA(
  a: Float64Array, aOff: number, aStride: number, k: number, n: number,
  b: Float64Array, bOff: number, bStride: number, m: number,
  c: Float64Array, cOff: number, cStride: number, accumulate: boolean,
): void {
  if (!accumulate) for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) c[cOff + i * cStride + j] = 0;
  for (let p = 0; p < k; p++) {
    const a0 = aOff + p * aStride;
    const b0 = bOff + p * bStride;
    for (let i = 0; i < n; i++) {
      const x = a[a0 + i];
      if (x === 0) continue;
      const c0 = cOff + i * cStride;
      for (let j = 0; j < m; j++) c[c0 + j] += x * b[b0 + j];
    }
  }
}

/** Y (rows, dOut) = X (rows, dIn)·W (dIn, dOut) + b. */
function _linear(x: Float64Array, rows: number, dIn: number, w: Float64Array, b: Float64Array | null, dOut: number): Float64Array {
  const y = new Float64Array(rows * dOut);
  _mm(x, 0, dIn, rows, dIn, w, 0, dOut, dOut, y, 0, dOut, false); // (rows, dOut)
  if (b != null) for (let i = 0; i < rows; i++) for (let j = 0; j < dOut; j++) y[i * dOut + j] += b[j];
  return y;
}

/** ∂W += Xᵀ·∂Y, ∂b += Σ_rows ∂Y, and return ∂X = ∂Y·Wᵀ. */
function _linearBackward(
  x: Float64Array, rows: number, dIn: number, w: Float64Array, dY: Float64Array, dOut: number,
  dW: Float64Array, db: Float64Array | null,
): Float64Array {
  _mmTA(x, 0, dIn, rows, dIn, dY, 0, dOut, dOut, dW, 0, dOut, true); // (dIn, dOut)
  if (db != null) for (let i = 0; i < rows; i++) for (let j = 0; j < dOut; j++) db[j] += dY[i * dOut + j];
  const dX = new Float64Array(rows * dIn);
  _matmulTransB(dY, 0, dOut, rows, dOut, w, 0, dOut, dIn, dX, 0); // (rows, dIn): row j of w is column j of Wᵀ
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
  for (let b = 0; b < B; b++) {
    for (let hd = 0; hd < h; hd++) {
      const aOff = (b * h + hd) * L * S;
      _matmulTransB(Q, b * L * E + hd * dK, E, L, dK, K, b * S * E + hd * dK, E, S, A, aOff); // (L, S) q·kᵀ
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
      _mm(A, aOff, S, L, S, V, b * S * E + hd * dV, E, dV, concat, cOff, E, false); // (L, dV) weights·v
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
  const scale = 1 / Math.sqrt(dK);
  for (let b = 0; b < B; b++) {
    for (let hd = 0; hd < h; hd++) {
      const aOff = (b * h + hd) * L * S;
      const hOff = b * L * E + hd * dV; // this head's columns of concat
      const kOff = b * S * E + hd * dK;
      _matmulTransB(dConcat, hOff, E, L, dV, V, b * S * E + hd * dV, E, S, dT, 0); // (L, S) ∂A = ∂head·Vᵀ
      for (let r = 0; r < L; r++) {
        let dot = 0;
        for (let j = 0; j < S; j++) dot += A[aOff + r * S + j] * dT[r * S + j];
        for (let j = 0; j < S; j++) dT[r * S + j] = A[aOff + r * S + j] * (dT[r * S + j] - dot) * scale; // ∂scores
      }
      _mm(dT, 0, S, L, S, K, kOff, E, dK, dQ, b * L * E + hd * dK, E, false); // (L, dK) ∂Q_i
      _mmTA(dT, 0, S, L, S, Q, b * L * E + hd * dK, E, dK, dKf, kOff, E, false); // (S, dK) ∂K_i
      _mmTA(A, aOff, S, L, S, dConcat, hOff, E, dV, dVf, b * S * E + hd * dV, E, false); // (S, dV) ∂V_i
    }
  }
  const dXq = _linearBackward(cache.xq, B * L, E, p.wQ, dQ, E, grads.wQ, grads.bQ); // (B·L, E)
  const dXk = _linearBackward(cache.xk, B * S, kdim, p.wK, dKf, E, grads.wK, grads.bK); // (B·S, kdim)
  const dXv = _linearBackward(cache.xv, B * S, vdim, p.wV, dVf, E, grads.wV, grads.bV); // (B·S, vdim)
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
