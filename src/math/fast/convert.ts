/**
 * The one place nested arrays (Matrix) and row-major Float64Array buffers are converted into each other, and
 * flat blocks transposed: what the fast path, the trainer and the blocks share.
 *
 * Dependencies: none.
 */
import type { Matrix } from "../types";

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
 * Rows r0 … r1−1 of a row-major (·, cols) buffer as a nested matrix, each entry mapped by f(x, row, col)
 * (rows and columns counted from r0 and 0).
 * @example _nestedMap(new Float64Array([1, 2, 3, 4]), 2, 1, 2, (x) => 10 * x) // returns [[30, 40]]
 */
export function _nestedMap(f: Float64Array, cols: number, r0: number, r1: number, map: (x: number, i: number, j: number) => number): Matrix {
  const out: Matrix = new Array(r1 - r0);
  for (let i = r0; i < r1; i++) {
    const r: number[] = new Array(cols);
    const o = i * cols;
    for (let j = 0; j < cols; j++) r[j] = map(f[o + j], i - r0, j);
    out[i - r0] = r;
  }
  return out; // (r1 − r0, cols)
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
