/**
 * Multi-head attention for a batch of sequences with the heads as one tensor, the form the papers mean by "the
 * heads run in parallel": project once, reshape (B, L, h, dK), transpose to (B, h, L, dK), then ONE batched
 * product for every head's scores, one softmax, one batched product with V, and back. On a GPU each batched step is
 * one kernel over all B·h heads; here each is one call instead of a loop over heads (the numbers are the same as
 * mha.forward's, sequence by sequence: tested to 1e-12).
 *
 * Dependencies: _linear, _matmul, _transpose, _softmaxRows, causalMask, checkKeyPaddingMask, checkMatrix,
 * _trustedLayer, _validateOptions.
 */
import { _describe } from "./_describe";
import { _linear } from "./linear";
import { causalMask, checkKeyPaddingMask } from "./masks";
import { _matmul, _transpose, checkMatrix, checkPositiveInt, formatShape, shapeOf } from "./matrix";
import { _softmaxRows } from "./softmax";
import type { Matrix } from "./types";
import { _checkedLater, _checkSize, _forwardBytes, _isBoolean, _trustedLayer, _validateOptions } from "./_validate";
import type { LayerSizes } from "./_validate";

/** A batch of matrices: (B, rows, cols). */
export type Tensor3 = number[][][];
/** A batch of batches of matrices: (B, h, rows, cols). */
export type Tensor4 = number[][][][];

/** Options of batchedForward (a subset of forward's: self-attention masks). */
export interface BatchedOptions {
  /** query i sees keys 0 … i, in every sequence */ causal?: boolean;
  /** (B, L) true = padding (ignored as a key), one row per sequence */ keyPaddingMask?: boolean[][] | null;
}

/** Every step of batchedForward, as tensors. */
export interface BatchedTrace {
  /** (B, h, L, dK) */ q: Tensor4;
  /** (B, h, L, dK) */ k: Tensor4;
  /** (B, h, L, dV) */ v: Tensor4;
  /** (B, h, L, L) q·kᵀ/√dK + mask (−Infinity where not allowed) */ scores: Tensor4;
  /** (B, h, L, L) softmax over the keys; a fully masked row is all zeros */ weights: Tensor4;
  /** (B, h, L, dV) weights·v */ heads: Tensor4;
  /** (B, L, h·dV) the heads side by side */ concat: Tensor3;
  /** (B, L, dModel) concat·W^O + b^O */ output: Tensor3;
}

/**
 * Stack the sequences of a batch into one matrix, sequence after sequence.
 *   X (B, L, d)  →  (B·L, d),   row b·L + i = X[b][i]
 * @param x (B, L, d)
 * @example flattenBatch([[[1, 2]], [[3, 4]]]) // returns [[1, 2], [3, 4]]
 */
export function flattenBatch(x: Tensor3): Matrix {
  return x.flat(1); // (B·L, d)
}

/**
 * Cut a (B·L, h·d) matrix into the heads of every sequence, as one (B, h, L, d) tensor.
 *   (B·L, h·d) → reshape (B, L, h, d) → transpose axes 1, 2 → (B, h, L, d)
 * Head i of sequence b is rows b·L … b·L + L − 1, columns i·d … (i+1)·d − 1: splitHeads, for every sequence at once.
 * @param m (B·L, h·d), e.g. Q = X·W^Q for a flattened batch
 * @param B sequences
 * @param numHeads h
 * @return (B, h, L, d)
 * @example toHeads([[1, 2], [3, 4]], 1, 2) // returns [[[[1], [3]], [[2], [4]]]]
 */
export function toHeads(m: Matrix, B: number, numHeads: number, name = "m"): Tensor4 {
  const [rows, width] = shapeOf(checkMatrix(name, m));
  checkPositiveInt("B", B);
  checkPositiveInt("numHeads", numHeads);
  if (rows % B !== 0) throw new Error(`${name} has ${rows} rows, which is not B·L for B = ${B} sequences`);
  if (width % numHeads !== 0) throw new Error(`${name} has ${width} columns, which is not divisible by numHeads ${numHeads}`);
  return _toHeads(m, B, numHeads);
}

/**
 * The step toHeads checks and then calls.
 * @example _toHeads([[1, 2]], 1, 1) // returns [[[[1, 2]]]]
 */
export function _toHeads(m: Matrix, B: number, h: number): Tensor4 {
  const L = m.length / B;
  const d = m[0].length / h;
  const split = _reshape(m, B, L, h, d); // (B, L, h, d)
  return _swapAxes12(split); // (B, h, L, d)
}

/**
 * Put every sequence's heads back side by side (the inverse of toHeads).
 *   (B, h, L, d) → transpose axes 1, 2 → (B, L, h, d) → reshape (B, L, h·d)
 * @param t (B, h, L, d)
 * @return (B, L, h·d)
 * @example fromHeads([[[[1], [3]], [[2], [4]]]]) // returns [[[1, 2], [3, 4]]]
 */
export function fromHeads(t: Tensor4): Tensor3 {
  const byPosition = _swapAxes12(t); // (B, L, h, d)
  return byPosition.map((seq) => seq.map((heads) => heads.flat())); // (B, L, h·d)
}

/**
 * Rows b·L + i of m, cut into h blocks of d columns: entry [b][i][j][c] = m[b·L + i][j·d + c].
 * @example _reshape([[1, 2, 3, 4]], 1, 1, 2, 2) // returns [[[[1, 2], [3, 4]]]]
 */
export function _reshape(m: Matrix, B: number, L: number, h: number, d: number): Tensor4 {
  return Array.from({ length: B }, (_, b) => Array.from({ length: L }, (_, i) => {
    const row = m[b * L + i];
    return Array.from({ length: h }, (_, j) => row.slice(j * d, (j + 1) * d)); // (h, d)
  })); // (B, L, h, d)
}

/**
 * Swap axes 1 and 2 of a 4-D tensor: t'[b][j][i] = t[b][i][j] (the same function both ways).
 * @example _swapAxes12([[[[1], [2]]]]) // returns [[[[1]], [[2]]]]
 */
export function _swapAxes12(t: Tensor4): Tensor4 {
  return t.map((x) => x[0].map((_, j) => x.map((row) => row[j]))); // (B, n2, n1, d)
}

/**
 * The matrix product of every pair of matrices in two (B, h, ·, ·) tensors: what torch.matmul does on 4-D tensors.
 *   C[b][i] = A[b][i]·B[b][i]   for every sequence b and head i
 * @param a (B, h, n, m)
 * @param b (B, h, m, p)
 * @return (B, h, n, p)
 * @example batchedMatmul([[[[1, 2]]]], [[[[3], [4]]]]) // returns [[[[11]]]]
 */
export function batchedMatmul(a: Tensor4, b: Tensor4): Tensor4 {
  return a.map((seq, s) => seq.map((m, i) => _matmul(m, b[s][i]))); // (B, h, n, p)
}

/**
 * Transpose the last two axes: (B, h, n, m) → (B, h, m, n), so that K becomes Kᵀ for every head at once.
 * @example transposeLast([[[[1, 2]]]]) // returns [[[[1], [2]]]]
 */
export function transposeLast(t: Tensor4): Tensor4 {
  return t.map((seq) => seq.map(_transpose)); // (B, h, m, n)
}

/**
 * Softmax over the last axis of a (B, h, L, S) tensor (max subtracted; an all −Infinity row gives zeros).
 * @example softmaxLast([[[[0, 0]]]]) // returns [[[[0.5, 0.5]]]]
 */
export function softmaxLast(t: Tensor4): Tensor4 {
  return t.map((seq) => seq.map(_softmaxRows)); // (B, h, L, S)
}

const BATCHED_OPTIONS = { causal: _isBoolean, keyPaddingMask: _checkedLater };

/**
 * Multi-head self-attention on a batch of equally long sequences, every head of every sequence at once:
 *   Q = X·W^Q + b^Q  (B·L, dModel) → (B, h, L, dK)   (and K, V)
 *   A = softmax(Q·Kᵀ/√dK + M)  (B, h, L, L)      H = A·V  (B, h, L, dV)
 *   Out = concat(H)·W^O + b^O   (B, L, dModel)
 * Equal to mha.forward(x[b], options) for every sequence b (tested to 1e-12); this is that layer's math with the
 * head loop replaced by tensors. Grouped-query layers (numKVHeads < numHeads) are not handled here.
 * @param mha a MultiHeadAttention (kdim = vdim = dModel, numKVHeads = numHeads)
 * @param x (B, L, dModel) B sequences of the same length L
 * @param options { causal, keyPaddingMask (B, L) }; an unknown key is an error with a suggestion
 * @return the BatchedTrace: weights (B, h, L, L), output (B, L, dModel)
 * @example
 *   const mha = MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 0 });
 *   batchedForward(mha, [x0, x1]).output[1] // returns mha.forward(x1).output, to rounding
 * @example batchedForward(MultiHeadAttention.random({ dModel: 2, numHeads: 1 }), [[[1, 0]], [[0, 1], [1, 1]]]) // throws "x[1] has 2 rows but x[0] has 1: a batch holds sequences of one length (pad the shorter ones and pass keyPaddingMask)"
 */
export function batchedForward(mha: unknown, x: Tensor3, options: BatchedOptions = {}): BatchedTrace {
  const layer = _checkBatchedLayer(mha);
  _validateOptions("batchedForward", options, BATCHED_OPTIONS);
  const { B, L } = _checkBatch(x, layer.dModel);
  const { numHeads: h, dK, params: p } = layer;
  _checkSize(`batchedForward with B = ${B} sequences of L = ${L} (h = ${h}, dModel = ${layer.dModel})`,
    B * _forwardBytes(L, L, layer.dModel, h), "split the batch into smaller ones");
  const mask = _batchMask(options, B, L); // B × (L, L) additive, or null

  // 1) linear projections: one product each for the whole batch, then the heads as one tensor
  const X = flattenBatch(x); // (B·L, dModel)
  const q = _toHeads(_linear(X, p.wQ, p.bQ, ["x", "wQ", "bQ"]), B, h); // (B, h, L, dK)
  const k = _toHeads(_linear(X, p.wK, p.bK, ["x", "wK", "bK"]), B, h); // (B, h, L, dK)
  const v = _toHeads(_linear(X, p.wV, p.bV, ["x", "wV", "bV"]), B, h); // (B, h, L, dV)

  // 2) attention in every head of every sequence: one batched product, one softmax, one batched product
  const sqrtDK = Math.sqrt(dK);
  const raw = batchedMatmul(q, transposeLast(k)); // (B, h, L, L) q·kᵀ
  _checkScores(raw);
  const scores = raw.map((seq, b) => seq.map((head) => head.map((row, i) => row.map((qk, j) =>
    qk / sqrtDK + (mask == null ? 0 : mask[b][i][j]))))); // (B, h, L, L) scaled, then masked
  const weights = softmaxLast(scores); // (B, h, L, L)
  const heads = batchedMatmul(weights, v); // (B, h, L, dV)

  // 3) concat + W^O: back to (B·L, h·dV), one product
  const concat = fromHeads(heads); // (B, L, h·dV)
  const out = _linear(flattenBatch(concat), p.wO, p.bO, ["concat", "wO", "bO"]); // (B·L, dModel)
  const output = Array.from({ length: B }, (_, b) => out.slice(b * L, (b + 1) * L)); // (B, L, dModel)
  _checkOutput(output);
  return { q, k, v, scores, weights, heads, concat, output };
}

/** The layer, checked: a MultiHeadAttention (or a layer-shaped object, checked in full) that does self-attention. */
function _checkBatchedLayer(mha: unknown): LayerSizes {
  const layer = _trustedLayer(mha, "batchedForward");
  if (layer.numKVHeads !== layer.numHeads) {
    throw new Error(`batchedForward: the layer has grouped-query attention (numKVHeads ${layer.numKVHeads} < numHeads ` +
      `${layer.numHeads}), which the batched form does not handle; use mha.forward on each sequence`);
  }
  if (layer.kdim !== layer.dModel || layer.vdim !== layer.dModel) {
    throw new Error(`batchedForward is self-attention, but the layer has kdim ${layer.kdim}, vdim ${layer.vdim} and dModel ` +
      `${layer.dModel}; use mha.forward(query, key, value) for cross-attention`);
  }
  return layer;
}

/** B and L of a batch (B, L, dModel), every sequence checked: a non-empty array of equally shaped matrices. */
function _checkBatch(x: unknown, dModel: number): { B: number; L: number } {
  if (!Array.isArray(x) || x.length === 0) {
    throw new Error(`x must be a batch (B, L, dModel): a non-empty array of (L, ${dModel}) matrices, got ${_describe(x)}`);
  }
  const [L] = shapeOf(checkMatrix("x[0]", x[0], { cols: { n: dModel, why: `dModel is ${dModel}` } }));
  for (let b = 1; b < x.length; b++) {
    const [Lb] = shapeOf(checkMatrix(`x[${b}]`, x[b], { cols: { n: dModel, why: `dModel is ${dModel}` } }));
    if (Lb !== L) {
      throw new Error(`x[${b}] has ${Lb} rows but x[0] has ${L}: a batch holds sequences of one length (pad the shorter ones and pass keyPaddingMask)`);
    }
  }
  return { B: x.length, L };
}

/** The causal mask and each sequence's key padding, combined: B × (L, L) additive (0 or −Infinity), or null. */
function _batchMask(options: BatchedOptions, B: number, L: number): Tensor3 | null {
  const pad = options.keyPaddingMask;
  if (!options.causal && pad == null) return null;
  if (pad != null && (!Array.isArray(pad) || pad.length !== B)) {
    throw new Error(`keyPaddingMask must have one row per sequence (${B}), got ${_describe(pad)}`);
  }
  const causal = options.causal ? causalMask(L) : null; // (L, L) true = not allowed
  return Array.from({ length: B }, (_, b) => {
    const padB = pad == null ? null : checkKeyPaddingMask(`keyPaddingMask[${b}]`, pad[b], L); // (L,)
    if (padB != null && typeof padB[0] !== "boolean") throw new Error(`keyPaddingMask[${b}] must hold booleans (true = padding)`);
    return Array.from({ length: L }, (_, i) => Array.from({ length: L }, (_, j) =>
      (causal != null && causal[i][j]) || (padB != null && padB[j]) ? -Infinity : 0)); // (L, L)
  });
}

/** Throw, naming the sequence, head and query, if a score overflowed (never a silent −Infinity or NaN weight). */
function _checkScores(raw: Tensor4): void {
  raw.forEach((seq, b) => seq.forEach((m, hd) => m.forEach((row, i) => {
    if (!row.every((s) => s - s === 0)) {
      throw new Error(`batchedForward: a score q·kᵀ of sequence ${b}, head ${hd}, query ${i} is not finite: x[${b}] is too ` +
        "large for float64 (mha.forward on that sequence names the entry at fault)");
    }
  })));
}

/** Throw, naming the sequence and row, if an output entry is not finite. */
function _checkOutput(output: Tensor3): void {
  output.forEach((seq, b) => seq.forEach((row, i) => {
    if (!row.every((y) => y - y === 0)) {
      throw new Error(`batchedForward: output[${b}][${i}] is not finite: x[${b}] is too large for float64 ` +
        "(mha.forward on that sequence names the entry at fault)");
    }
  }));
}

/**
 * The shape of a tensor as the error messages and notebooks print it.
 * @example shape4([[[[1, 2]], [[3, 4]]]]) // returns "1×2×1×2"
 */
export function shape4(t: Tensor4): string {
  return `${t.length}×${t[0].length}×${formatShape(t[0][0].length, t[0][0][0].length)}`;
}
