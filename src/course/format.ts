/**
 * Print matrices readably in a notebook: fixed digits, right-aligned columns two spaces apart, optional labels.
 *
 * Dependencies: none.
 */

/** Options of fmt. */
export interface FmtOptions {
  /** (rows,) a label in front of each row, e.g. the tokens */ rowLabels?: string[];
  /** (cols,) a header over each column */ colLabels?: string[];
}

function _num(x: number, digits: number): string {
  if (x === -Infinity) return "-∞";
  if (x === Infinity) return "∞";
  if (Number.isNaN(x)) return "NaN";
  const s = x.toFixed(digits);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s; // no "-0.000"
}

/**
 * A matrix (or vector) as an aligned block of text for console.log, every number with `digits` decimals.
 * −Infinity prints as "-∞".
 * @param x (rows, cols), or a vector (n,) printed as one row
 * @param digits decimals per number (default 3)
 * @param options rowLabels (rows,), colLabels (cols,)
 * @example fmt([[1, -0.5], [0.25, 10]], 2) // returns "1.00  -0.50\n0.25  10.00"
 */
export function fmt(x: number[][] | number[], digits = 3, options: FmtOptions = {}): string {
  if (!Array.isArray(x)) throw new Error(`fmt: x must be a matrix or a vector, got ${typeof x}`);
  const m: number[][] = x.length > 0 && !Array.isArray(x[0]) ? [x as number[]] : (x as number[][]);
  const { rowLabels, colLabels } = options;
  if (rowLabels && rowLabels.length !== m.length) {
    throw new Error(`fmt: rowLabels has ${rowLabels.length} labels but x has ${m.length} rows`);
  }
  const nCols = m.reduce((n, row) => Math.max(n, row.length), 0);
  if (colLabels && colLabels.length !== nCols) {
    throw new Error(`fmt: colLabels has ${colLabels.length} labels but x has ${nCols} columns`);
  }
  const cells = m.map((row) => row.map((v) => _num(v, digits)));
  const widths = Array.from({ length: nCols }, (_, j) =>
    Math.max(colLabels ? colLabels[j].length : 0, ...cells.map((r) => (r[j] ?? "").length)));
  const labelW = rowLabels ? Math.max(...rowLabels.map((l) => l.length)) : 0;
  const pad = (s: string, w: number) => " ".repeat(Math.max(0, w - s.length)) + s;
  const lead = (l: string) => (rowLabels ? l.padEnd(labelW) + "  " : "");
  const lines = cells.map((r, i) => lead(rowLabels ? rowLabels[i] : "") + r.map((c, j) => pad(c, widths[j])).join("  "));
  if (colLabels) lines.unshift(lead("") + colLabels.map((c, j) => pad(c, widths[j])).join("  "));
  return lines.join("\n");
}
