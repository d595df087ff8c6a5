/**
 * Typed matrix helpers, and the input checks every public function uses. The product and the transpose are the
 * textbook loops, so a learner who steps into Q = X·W reads Σ_p X[i][p]·W[p][j]; they sum in the order mathjs's
 * multiply does (p = 0 … m−1), and test/math/matrix.test.ts holds them to mathjs's numbers.
 *
 * Dependencies: _describe, _checkProduct.
 *
 * Every public entry point of the module validates its arguments here BEFORE computing,
 * so a user never sees an error from deep inside a loop or V8. Messages name the argument and the
 * numbers at fault, e.g. "query[2][3] is NaN" or "attnMask is 3×4 but the attention is 4×4".
 */
import { _describe } from "./_describe";
import { _checkProduct } from "./_overflow";
import type { Matrix, Vector } from "./types";


/** A required size and the reason for it, e.g. `{ n: 8, why: "dModel is 8" }`. */
export type Dim = number | { n: number; why: string };

/** What `checkMatrix` should enforce besides "a non-empty rectangular array of finite numbers". */
export interface MatrixCheck {
  rows?: Dim;
  cols?: Dim;
  /** allow −Infinity entries (masks and masked scores); NaN and +Infinity are still rejected */
  allowNegInfinity?: boolean;
}

/**
 * Format a shape the way error messages print it.
 * @param rows number of rows
 * @param cols number of columns
 * @example formatShape(3, 4) // returns "3×4"
 */
export function formatShape(rows: number, cols: number): string {
  return `${rows}×${cols}`;
}

/**
 * The shape (rows, cols) of a matrix that has already been checked.
 * @param x (rows, cols)
 * @example shapeOf([[1, 2, 3]]) // returns [1, 3]
 */
export function shapeOf(x: Matrix): [number, number] {
  return [x.length, x[0].length];
}

function _checkNumber(label: string, value: unknown, allowNegInfinity: boolean): void {
  if (typeof value !== "number") {
    throw new Error(`${label} is ${_describe(value)}, not a number`);
  }
  if (Number.isNaN(value)) throw new Error(`${label} is NaN`);
  if (value === Infinity) throw new Error(`${label} is Infinity`);
  if (value === -Infinity && !allowNegInfinity) throw new Error(`${label} is -Infinity`);
}

function _checkDim(name: string, actual: number, dim: Dim | undefined, unit: string): void {
  if (dim === undefined) return;
  const n = typeof dim === "number" ? dim : dim.n;
  if (actual === n) return;
  const why = typeof dim === "number" ? `${n} were expected` : dim.why;
  throw new Error(`${name} has ${actual} ${unit} but ${why}`);
}

/**
 * Check that `value` is a non-empty, rectangular 2-D array of finite numbers, with the
 * required number of rows and columns; throw an Error naming `name` otherwise.
 * @param name the argument's name as the user knows it, e.g. "query"
 * @param value the candidate (rows, cols) matrix
 * @param check optional required sizes, e.g. `{ cols: { n: 8, why: "dModel is 8" } }`
 * @example checkMatrix("query", [[1, NaN]]) // throws "query[0][1] is NaN"
 */
export function checkMatrix(name: string, value: unknown, check: MatrixCheck = {}): Matrix {
  if (!Array.isArray(value)) {
    throw new Error(`${name} must be a 2-D array of numbers, got ${_describe(value)}`);
  }
  if (value.length === 0) throw new Error(`${name} is empty (0 rows)`);
  const first = value[0];
  if (!Array.isArray(first)) {
    throw new Error(`${name} must be a 2-D array of numbers, but ${name}[0] is ${_describe(first)}`);
  }
  const cols = first.length;
  if (cols === 0) throw new Error(`${name} has 0 columns`);
  for (let i = 0; i < value.length; i++) {
    const row = value[i];
    if (!Array.isArray(row)) {
      throw new Error(`${name}[${i}] is ${_describe(row)}, not a row array`);
    }
    if (row.length !== cols) {
      throw new Error(`${name} is ragged: row ${i} has ${row.length} columns but row 0 has ${cols}`);
    }
    for (let j = 0; j < cols; j++) {
      const x = row[j];
      if (typeof x !== "number" || !(x - x === 0 || (x === -Infinity && check.allowNegInfinity))) {
        _checkNumber(`${name}[${i}][${j}]`, x, !!check.allowNegInfinity); // builds the message only on failure
      }
    }
  }
  _checkDim(name, value.length, check.rows, "rows");
  _checkDim(name, cols, check.cols, "columns");
  return value as Matrix;
}

/**
 * Check that `value` is a non-empty array of finite numbers of the required length.
 * @param name the argument's name, e.g. "bQ"
 * @param value the candidate vector (n,)
 * @param length optional required length, e.g. `{ n: 8, why: "dModel is 8" }`
 * @example checkVector("bO", [0, 1], 3) // throws "bO has 2 entries but 3 were expected"
 */
export function checkVector(name: string, value: unknown, length?: Dim): Vector {
  if (!Array.isArray(value)) {
    throw new Error(`${name} must be a 1-D array of numbers, got ${_describe(value)}`);
  }
  if (value.length === 0) throw new Error(`${name} is empty (0 entries)`);
  for (let j = 0; j < value.length; j++) {
    if (typeof value[j] !== "number" || !Number.isFinite(value[j])) _checkNumber(`${name}[${j}]`, value[j], false);
  }
  _checkDim(name, value.length, length, "entries");
  return value as Vector;
}

/**
 * Check that `value` is a positive integer (a size such as numHeads or L).
 * @param name e.g. "numHeads"
 * @param value the candidate
 * @example checkPositiveInt("numHeads", 0) // throws "numHeads must be a positive integer, got 0"
 */
export function checkPositiveInt(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer, got ${_describe(value)}`);
  }
  return value;
}

/**
 * Check that `width` splits evenly into `numHeads` heads and return the head size.
 * @param widthName e.g. "dModel"
 * @param width e.g. 10
 * @param numHeads e.g. 3
 * @example headSize("dModel", 10, 3) // throws "dModel 10 is not divisible by numHeads 3"
 */
export function headSize(widthName: string, width: number, numHeads: number): number {
  checkPositiveInt("numHeads", numHeads);
  if (width % numHeads !== 0) {
    throw new Error(`${widthName} ${width} is not divisible by numHeads ${numHeads}`);
  }
  return width / numHeads;
}

/**
 * Matrix product, with named shape checks first; an entry that overflows is an error
 * naming the row of a and the column of b it came from (never Infinity or NaN out).
 *   C = A·B
 * @param a (n, m)
 * @param b (m, p)
 * @param names how the error message calls a and b (default "a", "b")
 * @example matmul([[1, 2]], [[3], [4]]) // returns [[11]]
 */
export function matmul(a: Matrix, b: Matrix, names: [string, string] = ["a", "b"]): Matrix {
  checkMatrix(names[0], a);
  checkMatrix(names[1], b);
  const [n, m] = shapeOf(a);
  const [m2, p] = shapeOf(b);
  if (m !== m2) {
    throw new Error(
      `${names[0]}·${names[1]}: ${names[0]} is ${formatShape(n, m)} and ${names[1]} is ` +
        `${formatShape(m2, p)}; inner sizes ${m} and ${m2} must match`,
    );
  }
  const c = _matmul(a, b); // (n, p)
  _checkProduct(c, `${names[0]}·${names[1]}`, `${names[0]} row`, a, `${names[1]} column`, b);
  return c;
}

/**
 * The step matmul checks and then calls (shapes already checked, or arrays built by the caller).
 *   C[i][j] = Σ_k A[i][k]·B[k][j],   each sum from 0, k = 0 … m−1 in order
 * The loops run i, k, j (a row of B at a time), which adds the same terms in the same order as i, j, k.
 * @param a (n, m)
 * @param b (m, p)
 * @example _matmul([[1, 2]], [[3], [4]]) // returns [[11]]
 */
export function _matmul(a: Matrix, b: Matrix): Matrix {
  const n = a.length;
  const m = b.length;
  const p = b[0].length;
  const c: Matrix = new Array(n);
  for (let i = 0; i < n; i++) {
    const ci = new Array<number>(p).fill(0); // row i of C
    const ai = a[i];
    for (let k = 0; k < m; k++) {
      const aik = ai[k];
      const bk = b[k];
      for (let j = 0; j < p; j++) ci[j] += aik * bk[j];
    }
    c[i] = ci;
  }
  return c; // (n, p)
}

/**
 * The step transpose checks and then calls.
 *   Aᵀ[j][i] = A[i][j]
 * @param a (n, m)
 * @example _transpose([[1, 2]]) // returns [[1], [2]]
 */
export function _transpose(a: Matrix): Matrix {
  const n = a.length;
  const m = a[0].length;
  const t: Matrix = new Array(m);
  for (let j = 0; j < m; j++) {
    const row = new Array<number>(n);
    for (let i = 0; i < n; i++) row[i] = a[i][j];
    t[j] = row;
  }
  return t; // (m, n)
}

/**
 * Transpose.
 *   Aᵀ[j][i] = A[i][j]
 * @param a (n, m)
 * @example transpose([[1, 2, 3]]) // returns [[1], [2], [3]]
 */
export function transpose(a: Matrix, name = "a"): Matrix {
  checkMatrix(name, a, { allowNegInfinity: true });
  return _transpose(a); // (m, n)
}

/**
 * Columns `start … end−1` of a matrix (a head's slice of a fused weight).
 * @param a (n, m)
 * @example sliceColumns([[1, 2, 3]], 1, 3) // returns [[2, 3]]
 */
export function sliceColumns(a: Matrix, start: number, end: number, name = "a"): Matrix {
  const [, m] = shapeOf(checkMatrix(name, a, { allowNegInfinity: true }));
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > m || start >= end) {
    throw new Error(`columns ${start}…${end - 1} are not a non-empty range inside ${name}'s ${m} columns`);
  }
  return a.map((row) => row.slice(start, end)); // (n, end − start)
}
