/**
 * Flat Float64Array kernels behind the fast path. They sum in the same order as mathjs's
 * multiply (k = 0, 1, …, in one accumulator per output entry), so results match the readable
 * path bit for bit in practice and to rounding in any case.
 *
 * Dependencies: checkMatrix, formatShape, shapeOf.
 */
import { checkMatrix, formatShape, shapeOf } from "../matrix";
import type { Matrix } from "../trace";

/**
 * Copy a nested matrix into a row-major Float64Array.
 * @param a (rows, cols)
 * @example _flatten([[1, 2], [3, 4]]) // returns Float64Array.from([1, 2, 3, 4])
 */
export function _flatten(a: Matrix): Float64Array {
  const rows = a.length;
  const cols = a[0].length;
  const f = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const r = a[i];
    const o = i * cols;
    for (let j = 0; j < cols; j++) f[o + j] = r[j];
  }
  return f; // (rows·cols,)
}

/**
 * Copy a nested matrix into a row-major Float64Array of its transpose.
 * @param a (rows, cols)
 * @example _flattenTransposed([[1, 2], [3, 4]]) // returns Float64Array.from([1, 3, 2, 4])
 */
export function _flattenTransposed(a: Matrix): Float64Array {
  const rows = a.length;
  const cols = a[0].length;
  const f = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const r = a[i];
    for (let j = 0; j < cols; j++) f[j * rows + i] = r[j];
  }
  return f; // (cols·rows,)
}

const _transposeCache = new WeakMap<Matrix, { flat: Float64Array; t: Float64Array }>();

/** True when every entry of the nested matrix equals the row-major buffer (and every row has cols entries). */
function _sameEntries(a: Matrix, flat: Float64Array, rows: number, cols: number): boolean {
  if (a.length !== rows) return false;
  for (let i = 0; i < rows; i++) {
    const r = a[i];
    if (r.length !== cols) return false;
    const o = i * cols;
    for (let j = 0; j < cols; j++) if (r[j] !== flat[o + j]) return false;
  }
  return true;
}

/**
 * _flattenTransposed for weight matrices, remembered per matrix object: a later call with the same array
 * re-uses the buffer only after checking every entry against a saved copy (a sequential read, several
 * times cheaper than the strided transpose), so a weight edited in place is picked up.
 * @param w (rows, cols)
 * @example _cachedTransposed([[1, 2], [3, 4]]) // returns Float64Array.from([1, 3, 2, 4])
 */
export function _cachedTransposed(w: Matrix): Float64Array {
  const rows = w.length;
  const cols = w[0].length;
  const hit = _transposeCache.get(w);
  if (hit !== undefined && hit.flat.length === rows * cols && _sameEntries(w, hit.flat, rows, cols)) return hit.t;
  const flat = _flatten(w); // (rows·cols,)
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = flat[i * cols + j]; // (cols·rows,)
  _transposeCache.set(w, { flat, t });
  return t;
}

/**
 * Rows rowStart … rowEnd−1 and columns colStart … colStart+width−1 of a row-major (·, cols) buffer, as a nested matrix.
 * @example _nested(new Float64Array([1, 2, 3, 4]), 2, 0, 2, 0, 2) // returns [[1, 2], [3, 4]]
 */
export function _nested(f: Float64Array, cols: number, rowStart: number, rowEnd: number, colStart: number, width: number): Matrix {
  const out: Matrix = new Array(rowEnd - rowStart);
  for (let i = rowStart; i < rowEnd; i++) {
    const r: number[] = new Array(width);
    const o = i * cols + colStart;
    for (let j = 0; j < width; j++) r[j] = f[o + j];
    out[i - rowStart] = r;
  }
  return out; // (rowEnd − rowStart, width)
}

/**
 * C = A·B on flat buffers, with B given transposed: C[i, j] = Σ_p A[aOff + i·aStride + p] · BT[bOff + j·bStride + p].
 * A 2×4 register block of dot products; each entry sums p = 0 … k−1 in order from 0.
 * @param a A's buffer; rows i at aOff + i·aStride, k entries each
 * @param bt Bᵀ's buffer; rows j (= columns of B) at bOff + j·bStride, k entries each
 * @param c output (n, m) at cOff, row stride m
 */
export function _matmulTransB(
  a: Float64Array, aOff: number, aStride: number, n: number, k: number,
  bt: Float64Array, bOff: number, bStride: number, m: number,
  c: Float64Array, cOff: number,
): void {
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const a0 = aOff + i * aStride;
    const a1 = a0 + aStride;
    const c0 = cOff + i * m;
    const c1 = c0 + m;
    let j = 0;
    for (; j + 3 < m; j += 4) {
      const b0 = bOff + j * bStride;
      const b1 = b0 + bStride;
      const b2 = b1 + bStride;
      const b3 = b2 + bStride;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let p = 0; p < k; p++) {
        const x = a[a0 + p];
        const y = a[a1 + p];
        const e0 = bt[b0 + p], e1 = bt[b1 + p], e2 = bt[b2 + p], e3 = bt[b3 + p];
        s00 += x * e0; s01 += x * e1; s02 += x * e2; s03 += x * e3;
        s10 += y * e0; s11 += y * e1; s12 += y * e2; s13 += y * e3;
      }
      c[c0 + j] = s00; c[c0 + j + 1] = s01; c[c0 + j + 2] = s02; c[c0 + j + 3] = s03;
      c[c1 + j] = s10; c[c1 + j + 1] = s11; c[c1 + j + 2] = s12; c[c1 + j + 3] = s13;
    }
    for (; j < m; j++) {
      const b0 = bOff + j * bStride;
      let s0 = 0, s1 = 0;
      for (let p = 0; p < k; p++) {
        s0 += a[a0 + p] * bt[b0 + p];
        s1 += a[a1 + p] * bt[b0 + p];
      }
      c[c0 + j] = s0;
      c[c1 + j] = s1;
    }
  }
  for (; i < n; i++) {
    const a0 = aOff + i * aStride;
    const c0 = cOff + i * m;
    for (let j = 0; j < m; j++) {
      const b0 = bOff + j * bStride;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[a0 + p] * bt[b0 + p];
      c[c0 + j] = s;
    }
  }
}

/**
 * Matrix product of plain nested arrays on Float64Array buffers; the same numbers as `matmul` (mathjs).
 *   C = A·B,  C[i][j] = Σ_p A[i][p]·B[p][j]
 * @param a (n, k)
 * @param b (k, m)
 * @return (n, m)
 * @example fastMatmul([[1, 2], [3, 4]], [[5], [6]]) // returns [[17], [39]]
 */
export function fastMatmul(a: Matrix, b: Matrix, names: [string, string] = ["a", "b"]): Matrix {
  const [n, k] = shapeOf(checkMatrix(names[0], a));
  const [k2, m] = shapeOf(checkMatrix(names[1], b));
  if (k !== k2) {
    throw new Error(
      `${names[0]}·${names[1]}: ${names[0]} is ${formatShape(n, k)} and ${names[1]} is ` +
        `${formatShape(k2, m)}; inner sizes ${k} and ${k2} must match`,
    );
  }
  const c = new Float64Array(n * m);
  _matmulTransB(_flatten(a), 0, k, n, k, _flattenTransposed(b), 0, k, m, c, 0); // (n, m)
  return _nested(c, m, 0, n, 0, m);
}
