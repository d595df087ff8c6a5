/**
 * The matrix product of the fast path (the flat attention, the trainer, the blocks), its softmax row, and the
 * nested-array product installFastMultiply can put into a mathjs instance the caller owns.
 * Every output entry sums p = 0, 1, …, k−1 in order in one accumulator, the order mathjs's multiply uses,
 * so products agree with the readable path's bit for bit (tested). Products big enough to pay for the copies run on the
 * WebAssembly SIMD kernel (simd.ts), which sums in the same order; the rest on the plain loops here.
 *
 * Dependencies: simd.ts, convert.ts.
 */
import type { Matrix } from "../types";
import { _flatten, _flattenTransposed, _nested, _transposeFlat } from "./convert";
import { _matmulNestedSimd, _matmulSimd, _matmulSimdNN, _simdEnabled, _softmaxRowSimd } from "./simd";

export { _flatten, _flattenTransposed, _nested } from "./convert"; // where src/minilm and src/train import them from

/** Transposes of frozen matrices, keyed by their first row: an entry holds the row objects it was made from. */
const _transposeCache = new WeakMap<readonly number[], { rows: Matrix; t: Float64Array }[]>();

/** True when every row of a nested matrix is frozen, so its entries can never change. */
function _rowsFrozen(a: Matrix): boolean {
  for (let i = 0; i < a.length; i++) if (!Object.isFrozen(a[i])) return false;
  return true;
}

/**
 * _flattenTransposed for weight matrices: remembered when every row is frozen (a MultiHeadAttention's params
 * are), so it can never go stale. The key is the row objects themselves, in order, so a slice of a layer's
 * weight (W^O's rows of one head, as headContributions takes them) is found again too. Any other matrix is
 * transposed afresh.
 * @param w (rows, cols)
 * @example _cachedTransposed([[1, 2], [3, 4]]) // returns Float64Array.from([1, 3, 2, 4])
 */
export function _cachedTransposed(w: Matrix): Float64Array {
  if (!_rowsFrozen(w)) return _flattenTransposed(w);
  const entries = _transposeCache.get(w[0]) ?? [];
  for (const e of entries) {
    if (e.rows.length !== w.length) continue;
    let same = true;
    for (let i = 0; i < w.length && same; i++) same = e.rows[i] === w[i];
    if (same) return e.t;
  }
  const t = _flattenTransposed(w); // (cols·rows,)
  entries.push({ rows: w.slice(), t });
  if (entries.length > 8) entries.shift();
  _transposeCache.set(w[0], entries);
  return t;
}

/**
 * C (+)= A·B on flat buffers, with B given transposed: C[i, j] (+)= Σ_p A[aOff + i·aStride + p] · BT[bOff + j·bStride + p].
 * Each entry sums p = 0 … k−1 in order from 0, on either kernel: the WebAssembly SIMD one (simd.wat: 4×4 blocks,
 * lanes across columns) for products of at least SIMD_MIN_WORK multiply-adds, else the loops of _matmulLoops
 * (3×4 blocks of dot products). So every size, block shape and kernel gives the same numbers.
 * The one matmul kernel of both fast paths: forward (C = …) and backward/trainer (accumulate: C += …, for ∂W).
 * Every product is written as A·Bᵀ on (transposed) operands, because a dot product keeps its sum in a register.
 * @param a A's buffer; rows i at aOff + i·aStride, k entries each
 * @param bt Bᵀ's buffer; rows j (= columns of B) at bOff + j·bStride, k entries each
 * @param c output (n, m) at cOff, row stride cStride (default m; a head writes its columns of a wider buffer)
 * @param accumulate true: C += A·B (each finished sum is added to what c holds: the same numbers as adding a
 *   separate product afterwards); false (default): C = A·B. The flag is read once a block, outside the p loop
 *   (a store helper called per entry measured up to 2× slower on small products).
 */
export function _matmulTransB(
  a: Float64Array, aOff: number, aStride: number, n: number, k: number,
  bt: Float64Array, bOff: number, bStride: number, m: number,
  c: Float64Array, cOff: number, cStride: number = m, accumulate: boolean = false,
): void {
  if (!(_simdPays(n, k, m) && _matmulSimd(a, aOff, aStride, n, k, bt, bOff, bStride, m, c, cOff, cStride, accumulate))) {
    _matmulLoops(a, aOff, aStride, n, k, bt, bOff, bStride, m, c, cOff, cStride, accumulate);
  }
}

/**
 * C (+)= A·B on flat buffers with B as stored (k, m): C[i, j] (+)= Σ_p A[aOff + i·aStride + p] · B[bOff + p·bStride + j].
 * The same sums as _matmulTransB on Bᵀ, bit for bit, without anyone transposing B: a layer's W (k = dIn, m = dOut),
 * or ∂Y in ∂W = Xᵀ·∂Y. Big products run on simd.wat's matmulNN, small ones on the loops reading B down its columns
 * (_matmulStrided with bStep = bStride).
 * @param a A's buffer; rows i at aOff + i·aStride, k entries each
 * @param b B's buffer; rows p at bOff + p·bStride, m entries each
 * @param c output (n, m) at cOff, row stride cStride (default m)
 * @param accumulate true: C += A·B (each finished sum added to what c holds); false (default): C = A·B
 */
export function _matmulNN(
  a: Float64Array, aOff: number, aStride: number, n: number, k: number,
  b: Float64Array, bOff: number, bStride: number, m: number,
  c: Float64Array, cOff: number, cStride: number = m, accumulate: boolean = false,
): void {
  _matmulStrided(a, aOff, aStride, 1, n, k, b, bOff, 1, bStride, m, c, cOff, cStride, accumulate);
}

/**
 * C (+)= A·B with A or B read across their rows, as _matmulLoops's aStep and bStep allow:
 *   C[i, j] (+)= Σ_p a[aOff + i·aStride + p·aStep] · bt[bOff + j·bStride + p·bStep]
 * For one head's products in attention's backward (∂T·K_g, ∂Tᵀ·Q_i, Aᵀ·∂head): small ones run on the loops in
 * place, with no transposed copy; big ones on the WebAssembly kernels (matmulNN reads B as stored when bStep ≠ 1,
 * and A either way). Each operand is either as stored (step 1) or transposed (stride 1). The same sums either way.
 */
export function _matmulStrided(
  a: Float64Array, aOff: number, aStride: number, aStep: number, n: number, k: number,
  bt: Float64Array, bOff: number, bStride: number, bStep: number, m: number,
  c: Float64Array, cOff: number, cStride: number, accumulate: boolean,
): void {
  if ((aStep !== 1 && aStride !== 1) || (bStep !== 1 && bStride !== 1)) {
    throw new Error(`_matmulStrided: an operand must be stored or transposed (aStride ${aStride}, aStep ${aStep}, bStride ${bStride}, bStep ${bStep})`);
  }
  if (!_simdPays(n, k, m)) {
    _matmulLoops(a, aOff, aStride, n, k, bt, bOff, bStride, m, c, cOff, cStride, accumulate, aStep, bStep);
    return;
  }
  if (bStep !== 1 && _matmulSimdNN(a, aOff, aStride, n, k, bt, bOff, bStep, m, c, cOff, cStride, accumulate, aStep)) return; // B (k, m) rows bStep apart
  const [A, aO, aS] = aStep === 1 ? [a, aOff, aStride] : [_transposeFlat(a, aOff, aStep, k, n), 0, k]; // (n, k)
  _matmulTransB(A, aO, aS, n, k, bt, bOff, bStride, m, c, cOff, cStride, accumulate);
}

/**
 * ∂b += Σ_rows ∂Y: each column summed over the rows in order from row 0, then added (the numbers of a sum per
 * column), read row by row.
 */
export function _addColumnSums(dY: Float64Array, n: number, dOut: number, db: Float64Array): void {
  const s = new Float64Array(dOut); // (dOut,)
  for (let i = 0; i < n; i++) for (let j = 0, o = i * dOut; j < dOut; j++) s[j] += dY[o + j];
  for (let j = 0; j < dOut; j++) db[j] += s[j];
}

/** Multiply-adds (n·k·m) from which the WebAssembly kernel, copies included, is as fast as the loops here (measured: even at 2048, 1.5–1.8× faster at 4096, 3–4× at 16384). */
export const SIMD_MIN_WORK = 2048;

/** True when an (n, k)·(k, m) product goes to the WebAssembly kernel: it runs here, and the product is big enough. */
function _simdPays(n: number, k: number, m: number): boolean {
  return _simdEnabled() && n * k * m >= SIMD_MIN_WORK && m >= 4 && n >= 2;
}

/**
 * _matmulTransB on plain JavaScript loops: register blocks of 3×4 dot products, then 2×4 and 1×m for the last
 * rows (15–20 % faster than 2×4 alone here). Same arguments as _matmulTransB, and two more for operands read
 * across their rows: A[i, p] = a[aOff + i·aStride + p·aStep], Bᵀ[j, p] = bt[bOff + j·bStride + p·bStep]
 * (default 1: rows as stored). So ∂T·K (bStep = K's row stride) or ∂Tᵀ·Q (aStep = ∂T's row stride) need no
 * transposed copy; the sums are the same, in the same order.
 */
export function _matmulLoops(
  a: Float64Array, aOff: number, aStride: number, n: number, k: number,
  bt: Float64Array, bOff: number, bStride: number, m: number,
  c: Float64Array, cOff: number, cStride: number = m, accumulate: boolean = false, aStep: number = 1, bStep: number = 1,
): void {
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const a0 = aOff + i * aStride;
    const a1 = a0 + aStride;
    const a2 = a1 + aStride;
    const c0 = cOff + i * cStride;
    const c1 = c0 + cStride;
    const c2 = c1 + cStride;
    let j = 0;
    for (; j + 3 < m; j += 4) {
      const b0 = bOff + j * bStride;
      const b1 = b0 + bStride;
      const b2 = b1 + bStride;
      const b3 = b2 + bStride;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0, s20 = 0, s21 = 0, s22 = 0, s23 = 0;
      for (let p = 0; p < k; p++) {
        const x = a[a0 + p * aStep];
        const y = a[a1 + p * aStep];
        const z = a[a2 + p * aStep];
        const e0 = bt[b0 + p * bStep], e1 = bt[b1 + p * bStep], e2 = bt[b2 + p * bStep], e3 = bt[b3 + p * bStep];
        s00 += x * e0; s01 += x * e1; s02 += x * e2; s03 += x * e3;
        s10 += y * e0; s11 += y * e1; s12 += y * e2; s13 += y * e3;
        s20 += z * e0; s21 += z * e1; s22 += z * e2; s23 += z * e3;
      }
      if (accumulate) { s00 += c[c0 + j]; s01 += c[c0 + j + 1]; s02 += c[c0 + j + 2]; s03 += c[c0 + j + 3]; }
      c[c0 + j] = s00; c[c0 + j + 1] = s01; c[c0 + j + 2] = s02; c[c0 + j + 3] = s03;
      if (accumulate) { s10 += c[c1 + j]; s11 += c[c1 + j + 1]; s12 += c[c1 + j + 2]; s13 += c[c1 + j + 3]; }
      c[c1 + j] = s10; c[c1 + j + 1] = s11; c[c1 + j + 2] = s12; c[c1 + j + 3] = s13;
      if (accumulate) { s20 += c[c2 + j]; s21 += c[c2 + j + 1]; s22 += c[c2 + j + 2]; s23 += c[c2 + j + 3]; }
      c[c2 + j] = s20; c[c2 + j + 1] = s21; c[c2 + j + 2] = s22; c[c2 + j + 3] = s23;
    }
    for (; j < m; j++) {
      const b0 = bOff + j * bStride;
      let s0 = 0, s1 = 0, s2 = 0;
      for (let p = 0; p < k; p++) {
        const e = bt[b0 + p * bStep];
        s0 += a[a0 + p * aStep] * e;
        s1 += a[a1 + p * aStep] * e;
        s2 += a[a2 + p * aStep] * e;
      }
      c[c0 + j] = accumulate ? c[c0 + j] + s0 : s0;
      c[c1 + j] = accumulate ? c[c1 + j] + s1 : s1;
      c[c2 + j] = accumulate ? c[c2 + j] + s2 : s2;
    }
  }
  for (; i + 1 < n; i += 2) {
    const a0 = aOff + i * aStride;
    const a1 = a0 + aStride;
    const c0 = cOff + i * cStride;
    const c1 = c0 + cStride;
    let j = 0;
    for (; j + 3 < m; j += 4) {
      const b0 = bOff + j * bStride;
      const b1 = b0 + bStride;
      const b2 = b1 + bStride;
      const b3 = b2 + bStride;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let p = 0; p < k; p++) {
        const x = a[a0 + p * aStep];
        const y = a[a1 + p * aStep];
        const e0 = bt[b0 + p * bStep], e1 = bt[b1 + p * bStep], e2 = bt[b2 + p * bStep], e3 = bt[b3 + p * bStep];
        s00 += x * e0; s01 += x * e1; s02 += x * e2; s03 += x * e3;
        s10 += y * e0; s11 += y * e1; s12 += y * e2; s13 += y * e3;
      }
      if (accumulate) { s00 += c[c0 + j]; s01 += c[c0 + j + 1]; s02 += c[c0 + j + 2]; s03 += c[c0 + j + 3]; }
      c[c0 + j] = s00; c[c0 + j + 1] = s01; c[c0 + j + 2] = s02; c[c0 + j + 3] = s03;
      if (accumulate) { s10 += c[c1 + j]; s11 += c[c1 + j + 1]; s12 += c[c1 + j + 2]; s13 += c[c1 + j + 3]; }
      c[c1 + j] = s10; c[c1 + j + 1] = s11; c[c1 + j + 2] = s12; c[c1 + j + 3] = s13;
    }
    for (; j < m; j++) {
      const b0 = bOff + j * bStride;
      let s0 = 0, s1 = 0;
      for (let p = 0; p < k; p++) {
        s0 += a[a0 + p * aStep] * bt[b0 + p * bStep];
        s1 += a[a1 + p * aStep] * bt[b0 + p * bStep];
      }
      c[c0 + j] = accumulate ? c[c0 + j] + s0 : s0;
      c[c1 + j] = accumulate ? c[c1 + j] + s1 : s1;
    }
  }
  for (; i < n; i++) {
    const a0 = aOff + i * aStride;
    const c0 = cOff + i * cStride;
    let j = 0;
    for (; j + 3 < m; j += 4) { // four independent sums: one sum alone waits on each add (the last row of n = 10 took ~40 % of a product)
      const b0 = bOff + j * bStride;
      const b1 = b0 + bStride;
      const b2 = b1 + bStride;
      const b3 = b2 + bStride;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0; p < k; p++) {
        const x = a[a0 + p * aStep];
        s0 += x * bt[b0 + p * bStep]; s1 += x * bt[b1 + p * bStep]; s2 += x * bt[b2 + p * bStep]; s3 += x * bt[b3 + p * bStep];
      }
      if (accumulate) { s0 += c[c0 + j]; s1 += c[c0 + j + 1]; s2 += c[c0 + j + 2]; s3 += c[c0 + j + 3]; }
      c[c0 + j] = s0; c[c0 + j + 1] = s1; c[c0 + j + 2] = s2; c[c0 + j + 3] = s3;
    }
    for (; j < m; j++) {
      const b0 = bOff + j * bStride;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[a0 + p * aStep] * bt[b0 + p * bStep];
      c[c0 + j] = accumulate ? c[c0 + j] + s : s;
    }
  }
}

/**
 * The softmax of one row of scores in place: u = s / √dK + m (m from the mask, −Infinity where masked), then
 * exp(u − max) / Σ. A row whose keys are all masked becomes zeros. The fast path's one softmax.
 *   a_j = exp(u_j − max_k u_k) / Σ_l exp(u_l − max_k u_k),   u_j = s_j / √dK + m_j  (−∞ for j ≥ firstMasked or padding)
 * Where WebAssembly SIMD runs, the same steps run in the module (simd.ts _softmaxRowSimd: two lanes, fdlibm's exp,
 * which gives Math.exp's bits, the sum in the same order), so the row is bit for bit what the loops below give
 * (test/math/fast/kernels-softmax.test.ts); rows of one key, and machines without SIMD, take the loops.
 * @param a the buffer holding the row's scores at o … o+S−1
 * @param o where the row starts
 * @param S the row's length (keys)
 * @param sqrtDK √dK
 * @param mask additive mask entries for this row at m0 … m0+S−1, or null
 * @param m0 where the row's mask entries start
 * @param firstMasked keys j ≥ firstMasked are masked (causal), S for none
 * @param pad (keys,) 1 = padding key, this row's keys at p0 … p0+S−1, or null
 * @param p0 where the row's padding flags start
 * @example Array.from(((a) => (_softmaxRow(a, 0, 3, 2, null, 0, 2, null, 0), a))(Float64Array.of(2, 2, 9))) // returns [0.5, 0.5, 0]
 */
export function _softmaxRow(
  a: Float64Array, o: number, S: number, sqrtDK: number,
  mask: Float64Array | null, m0: number, firstMasked: number, pad: Uint8Array | null, p0: number,
): void {
  if (S >= 2 && _softmaxRowSimd(a, o, S, sqrtDK, mask, m0, firstMasked, pad, p0)) return; // the same steps in the module
  // 1) u = s / √dK + m, −∞ where masked, and its max
  let max = -Infinity;
  for (let j = 0; j < S; j++) {
    let u = a[o + j] / sqrtDK;
    if (mask != null) u += mask[m0 + j];
    if (j >= firstMasked || (pad != null && pad[p0 + j] !== 0)) u = -Infinity;
    a[o + j] = u;
    if (u > max) max = u;
  }
  if (max === -Infinity) {
    a.fill(0, o, o + S); // every key masked
    return;
  }
  // 2) exp(u − max), summed in order, 3) ÷ the sum
  let sum = 0;
  for (let j = 0; j < S; j++) {
    const e = Math.exp(a[o + j] - max); // exp(−Infinity) = 0
    a[o + j] = e;
    sum += e;
  }
  for (let j = 0; j < S; j++) a[o + j] /= sum;
}

/** True when x is a non-empty rectangular 2-D array of numbers (what the kernel can take from mathjs). */
function _isNumberMatrix(x: unknown): x is Matrix {
  if (!Array.isArray(x) || x.length === 0) return false;
  const cols = Array.isArray(x[0]) ? x[0].length : 0;
  if (cols === 0) return false;
  for (let i = 0; i < x.length; i++) {
    const row = x[i];
    if (!Array.isArray(row) || row.length !== cols) return false;
    for (let j = 0; j < cols; j++) if (typeof row[j] !== "number") return false;
  }
  return true;
}

/**
 * C = A·B of nested arrays through the kernel (no checks: the caller knows the shapes agree).
 * @param a (n, k)
 * @param b (k, m); its transpose is cached when b is frozen (a layer's weight)
 * @return (n, m)
 * @example _multiplyNested([[1, 2], [3, 4]], [[5], [6]]) // returns [[17], [39]]
 */
export function _multiplyNested(a: Matrix, b: Matrix): Matrix {
  const n = a.length;
  const k = b.length;
  const m = b[0].length;
  if (n * k * m <= 2048 && !_transposeCache.has(b[0])) {
    // tiny products (one head's scores at small n): the same sums straight on the nested arrays, no buffers
    const out: Matrix = new Array(n);
    for (let i = 0; i < n; i++) {
      const ai = a[i];
      const r: number[] = new Array(m);
      for (let j = 0; j < m; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += ai[p] * b[p][j];
        r[j] = s;
      }
      out[i] = r;
    }
    return out;
  }
  const bt = _cachedTransposed(b); // (m, k)
  if (_simdPays(n, k, m)) {
    const c = _matmulNestedSimd(a, bt, n, k, m); // (n, m) straight from and into nested arrays
    if (c !== null) return c;
  }
  const c = new Float64Array(n * m);
  _matmulTransB(_flatten(a), 0, k, n, k, bt, 0, k, m, c, 0); // (n, m)
  return _nested(c, m, 0, n, 0, m);
}

/** Marks a multiply built by _fastMultiply and holds the one it replaced. */
export const ORIGINAL_MULTIPLY = Symbol.for("mha-lab.fast.originalMultiply");

/**
 * A mathjs multiply that sends two 2-D number arrays with matching inner sizes to the kernel, and every other
 * call (scalars, vectors, DenseMatrix, BigNumber, …) to the original.
 * @param original the instance's multiply
 */
export function _fastMultiply(original: (...args: any[]) => unknown): (...args: any[]) => unknown {
  const wrapper = (...args: unknown[]) =>
    args.length === 2 && _isNumberMatrix(args[0]) && _isNumberMatrix(args[1]) && args[0][0].length === args[1].length
      ? _multiplyNested(args[0], args[1])
      : original(...args);
  Object.assign(wrapper, { [ORIGINAL_MULTIPLY]: original });
  return wrapper;
}
