/**
 * Helpers every chart builder shares (private to src/plots): number formatting, label escaping, token checks,
 * head checks, and the colour-scale specs the builders have in common.
 *
 * **Head numbering.** Prose and charts say "head 1 … head h" (titles, hover, axis labels: `head ${i + 1}`);
 * code indices are 0-based, as in the math (`trace.heads[0]` is head 1, option `head: 0` draws head 1,
 * `heads: [0, 2]` draws heads 1 and 3). Error messages name the 0-based index the user passed and the label
 * it would have had. Layers are numbered from 0 ("layer 0"), as in Hugging Face's `hidden_states`/`attentions`.
 */
import { AttentionTrace, Matrix } from "../math/trace";
import { DIVERGING_SCALE, WEIGHTS_SCALE } from "./theme";
import { escapePlotlyText } from "./escape";
import { _ScaleSpec } from "./_panel-types";

/** Token labels for the rows (queries) and columns (keys) of attention maps. */
export interface TokenOptions {
  /** (L,) one label per query row; indices when omitted */ queryTokens?: string[];
  /** (S,) one label per key column; defaults to queryTokens when L = S (self-attention) */ keyTokens?: string[];
}

/** The chart label of the head with 0-based index `i`: "head 1" for i = 0. */
export function _headLabel(i: number): string {
  return `head ${i + 1}`;
}

/** Replace non-finite numbers (±Infinity, NaN) by null so the JSON is valid and plotly draws a gap. */
export function _finite(z: number[][]): Array<Array<number | null>> {
  return z.map((row) => row.map((v) => (typeof v === "number" && Number.isFinite(v) ? v : null)));
}

/** Largest absolute finite value in some matrices (at least `floor`, so an all-zero matrix still has a range). */
export function _maxAbs(ms: number[][][], floor = 1e-9): number {
  let m = floor;
  for (const x of ms) for (const row of x) for (const v of row) if (Number.isFinite(v) && Math.abs(v) > m) m = Math.abs(v);
  return m;
}

/**
 * Format a number for a cell or hover: 2 decimals, a real minus sign, "−∞"/"+∞" for infinities.
 * @example _fmt(-0.5) // returns "−0.50"
 */
export function _fmt(v: number, digits = 2): string {
  if (v === -Infinity) return "−∞";
  if (v === Infinity) return "+∞";
  if (Number.isNaN(v)) return "NaN";
  const s = v.toFixed(digits);
  return s.startsWith("-") ? "−" + s.slice(1) : s;
}

/**
 * Escaped labels, falling back to indices, for `n` positions.
 * @example _labels(["<b>"], 2) // returns ["&lt;b&gt;", "1"]
 */
export function _labels(labels: string[] | undefined, n: number): string[] {
  return Array.from({ length: n }, (_, i) => (labels && i < labels.length ? escapePlotlyText(labels[i]) : String(i)));
}

/** Check that a token list matches a matrix dimension, with an error naming both numbers. */
export function _checkTokens(name: string, tokens: string[] | undefined, n: number, what: string): void {
  if (tokens !== undefined && tokens.length !== n) {
    throw new Error(`${name} has ${tokens.length} tokens but ${what} is ${n}`);
  }
}

/**
 * Resolve and check token labels against an (L, S) attention shape: keyTokens default to queryTokens when L = S.
 * @example _tokens({ queryTokens: ["a", "b"] }, 2, 2).k // returns ["a", "b"]
 */
export function _tokens(opts: TokenOptions, L: number, S: number): { q: string[] | undefined; k: string[] | undefined } {
  const q = opts.queryTokens;
  const k = opts.keyTokens ?? (q && q.length === S && L === S ? q : undefined);
  _checkTokens("queryTokens", q, L, "the number of query rows L");
  _checkTokens("keyTokens", k, S, "the number of key columns S");
  return { q, k };
}

/**
 * customdata[r][c] = [escaped row label, escaped col label, ...extra(r, c)].
 * @example _cellData(["a"], ["b", "c"]) // returns [[["a", "b"], ["a", "c"]]]
 */
export function _cellData(rows: string[], cols: string[], extra?: (r: number, c: number) => unknown[]): unknown[][][] {
  return rows.map((rl, r) => cols.map((cl, c) => (extra ? [rl, cl, ...extra(r, c)] : [rl, cl])));
}

/**
 * Check that `head` is a 0-based head index of a trace with `numHeads` heads (see the head numbering above).
 * @example _checkHead("plotHeadStages", 2, 2) // throws "plotHeadStages: head index 2 does not exist"
 */
export function _checkHead(fn: string, numHeads: number, head: unknown, option = "head"): void {
  if (typeof head !== "number" || !Number.isInteger(head) || head < 0 || head >= numHeads) {
    const got = typeof head === "number" ? String(head) : typeof head === "string" ? JSON.stringify(head) : String(head);
    throw new Error(
      `${fn}: head index ${got} does not exist (option ${option}); the trace has ${numHeads} heads, ` +
        `indices 0 … ${numHeads - 1} (charted as head 1 … head ${numHeads})`,
    );
  }
}

/** The number of heads of a trace, or an error naming the builder when it is not a forward trace. */
export function _numHeads(fn: string, trace: AttentionTrace): number {
  if (!trace || typeof trace !== "object" || !Array.isArray(trace.heads) || trace.heads.length === 0) {
    throw new Error(`${fn}: trace has no heads (expected the result of MultiHeadAttention.forward), got ${_describe(trace)}`);
  }
  return trace.heads.length;
}

import { _describe } from "../math/_describe"; // the one describer of a bad value
export { _describe };

/** The shared [0, 1] colour scale spec of attention weights (a _ScaleSpec built on theme's WEIGHTS_SCALE colours). */
export const _ATTENTION_WEIGHTS_SPEC: _ScaleSpec = { key: "weights", title: "weight", colorscale: WEIGHTS_SCALE, zmin: 0, zmax: 1 };

/**
 * A diverging scale spec centred at 0 with the symmetric range [−m, m], m = max |value| of the matrices.
 * @example _divergingScale("s", "score", [[[-2, 1]]]).zmin // returns -2
 */
export function _divergingScale(key: string, title: string, ms: Matrix[]): _ScaleSpec {
  const m = _maxAbs(ms);
  return { key, title, colorscale: DIVERGING_SCALE, zmin: -m, zmax: m, zmid: 0 };
}
