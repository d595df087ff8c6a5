/**
 * The residual connection: a sublayer's output is added to its input, then (in BERT) LayerNorm follows.
 *
 * Dependencies: none.
 */
import type { Matrix } from "../math/trace";

/**
 * Add a sublayer's output to the stream it read from.
 *   y = x + sublayer(x)
 *
 * @param x   (L, d) the sublayer's input
 * @param out (L, d) the sublayer's output
 * @return (L, d)
 * @example addResidual([[1, 2]], [[10, 20]]) // returns [[11, 22]]
 */
export function addResidual(x: Matrix, out: Matrix): Matrix {
  if (!Array.isArray(x) || !Array.isArray(out) || x.length !== out.length) {
    throw new Error(`addResidual: x has ${Array.isArray(x) ? x.length : typeof x} rows but out has ${Array.isArray(out) ? out.length : typeof out}`);
  }
  return x.map((row, i) => {
    if (row.length !== out[i].length) throw new Error(`addResidual: x row ${i} has ${row.length} columns but out row ${i} has ${out[i].length}`);
    return row.map((v, j) => v + out[i][j]);
  }); // (L, d)
}
