/**
 * Module-private: non-finite intermediates turned into errors in the user's terms (which argument or weight,
 * which row and column, and why), so no public function returns NaN or Infinity. Every product checks its
 * result here (matmul, linear, and both forward paths).
 *
 * Dependencies: none.
 */
import type { Matrix } from "./types";

/** The largest |entry| of a row, as text ("1e+308"). */
function _maxAbs(xs: ArrayLike<number>): string {
  let m = 0;
  for (let i = 0; i < xs.length; i++) m = Math.max(m, Math.abs(xs[i]));
  return m.toPrecision(3).replace(/\.?0+e/, "e").replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
}

/** Column j of a nested matrix. */
function _column(m: Matrix, j: number): number[] {
  return m.map((row) => row[j]);
}

/** The first entry of a row-major buffer that is not finite, as [row, col], or null. */
export function _firstNonFiniteFlat(buf: Float64Array, cols: number, allowNegInfinity = false): [number, number] | null {
  for (let x = 0; x < buf.length; x++) {
    const v = buf[x];
    if (v - v !== 0 && !(allowNegInfinity && v === -Infinity)) return [Math.floor(x / cols), x % cols];
  }
  return null;
}

/** The first entry of a nested matrix that is not finite, as [row, col], or null. */
export function _firstNonFinite(m: Matrix, allowNegInfinity = false): [number, number] | null {
  for (let i = 0; i < m.length; i++) {
    const r = m[i];
    for (let j = 0; j < r.length; j++) {
      const v = r[j];
      if (v - v !== 0 && !(allowNegInfinity && v === -Infinity)) return [i, j];
    }
  }
  return null;
}

/**
 * The error for an overflow in a product y = x·w (+ b): names the row of x and the column of w the entry
 * came from, with their magnitudes, blaming the larger.
 * @param product the step in the user's terms, e.g. "Q = query·wQ + bQ"
 * @param rowName e.g. "query row"
 * @param xRow the row of the left factor
 * @param colName e.g. "wQ column"
 * @param wCol the column of the right factor
 * @param i, j where the non-finite entry is; value: the entry
 */
export function _productOverflow(
  product: string, rowName: string, xRow: ArrayLike<number>, colName: string, wCol: ArrayLike<number>,
  i: number, j: number, value: number,
): Error {
  const a = _maxAbs(xRow);
  const b = _maxAbs(wCol);
  const blameRow = Number(a) >= Number(b);
  const [big, bigV, small, smallV] = blameRow ? [`${rowName} ${i}`, a, `${colName} ${j}`, b] : [`${colName} ${j}`, b, `${rowName} ${i}`, a];
  return new Error(`${big} is so large (${bigV}) that ${product} overflows: entry [${i}][${j}] is ${value} ` +
    `(${small} has entries up to ${smallV}); scale it down`);
}

/** Check a projection result y = x·w + b (nested) and throw the user-terms error at its first non-finite entry. */
export function _checkProduct(y: Matrix, product: string, rowName: string, x: Matrix, colName: string, w: Matrix): void {
  const at = _firstNonFinite(y);
  if (at) throw _productOverflow(product, rowName, x[at[0]], colName, _column(w, at[1]), at[0], at[1], y[at[0]][at[1]]);
}

/**
 * The error for an overflow in head `head`'s scores Q_i·K_iᵀ at (query i, key j).
 * @param head 0-based head index (printed 1-based, "head 1")
 */
export function _scoresOverflow(head: number, i: number, j: number, qRow: ArrayLike<number>, kRow: ArrayLike<number>, value: number): Error {
  return new Error(`head ${head + 1}'s scores Q·Kᵀ overflow at query row ${i}, key row ${j} (${value}): ` +
    `Q row ${i} has entries up to ${_maxAbs(qRow)} and K row ${j} up to ${_maxAbs(kRow)}; scale the query, key or wQ, wK down`);
}

/** The error for a float mask entry that, added to a finite scaled score, gives +Infinity or NaN. */
export function _maskOverflow(head: number, i: number, j: number, score: number, mask: number): Error {
  return new Error(`the mask at [${i}][${j}] (${mask}) plus head ${head + 1}'s scaled score (${score}) overflows; ` +
    `a float mask should hold moderate values or −Infinity`);
}

/** The error for an overflow in head `head`'s weighted sum weights·V at (query i, column d). */
export function _valuesOverflow(head: number, i: number, d: number, vCol: ArrayLike<number>, value: number): Error {
  return new Error(`head ${head + 1}'s output weights·V overflows at row ${i}, column ${d} (${value}): ` +
    `V column ${d} has entries up to ${_maxAbs(vCol)}; scale the value or wV down`);
}
