/**
 * fastForward's overflow naming: after the flat forward ran, find the first intermediate that is not finite and
 * throw the error the readable forward throws for the same input (the same functions of _overflow.ts, the same
 * order: the projections Q, K, V, then head by head the scores, the mask and weights·V, then the output).
 * The normal path only scans Q, K, V, the heads' outputs and the output for a non-finite entry.
 *
 * Dependencies: _overflow.ts (the messages), flat-attention.ts (the cache).
 */
import type { LayerSizes } from "../_validate";
import { _firstNonFiniteFlat, _maskOverflow, _productOverflow, _scoresOverflow, _valuesOverflow } from "../_overflow";
import type { Matrix } from "../types";
import type { FlatAttentionCache } from "./flat-attention";

/** Column j of a nested matrix, rows r0 … r1−1. */
function _column(m: Matrix, j: number, r0 = 0, r1 = m.length): number[] {
  const out: number[] = [];
  for (let r = r0; r < r1; r++) out.push(m[r][j]);
  return out;
}

/** Throw the named error for the first non-finite entry of y = x·w + b (row-major, cols wide), if any. */
function _checkProductFlat(
  y: Float64Array, cols: number, product: string, rowName: string, xRow: (i: number) => ArrayLike<number>,
  colName: string, wCol: (j: number) => ArrayLike<number>,
): void {
  const at = _firstNonFiniteFlat(y, cols);
  if (at) throw _productOverflow(product, rowName, xRow(at[0]), colName, wCol(at[1]), at[0], at[1], y[at[0] * cols + at[1]]);
}

/** max |entry| of a buffer. */
function _maxAbs(f: Float64Array): number {
  let m = 0;
  for (let i = 0; i < f.length; i++) m = Math.max(m, Math.abs(f[i]));
  return m;
}

/**
 * Throw the readable forward's error for the first non-finite intermediate of a fastForward call (B = 1), or return.
 * @param layer the trusted layer
 * @param query (L, dModel), key (S, kdim), value (S, vdim): the inputs as the user passed them
 * @param mask (L, S) the combined additive mask, or null
 * @param c what mhaForwardFlat returned for them
 */
export function _checkFastForward(layer: LayerSizes, query: Matrix, key: Matrix, value: Matrix, mask: Matrix | null, c: FlatAttentionCache): void {
  const { dModel: E, numHeads: h, numKVHeads: hKV, dK, dV, params: p } = layer;
  const { L, S, Q, K, V, concat, output } = c;
  const [QW, KW, VW, CW] = [h * dK, hKV * dK, hKV * dV, h * dV];

  // 1) the projections, in the order the readable forward computes them
  const plus = (b: unknown, name: string) => (b ? ` + ${name}` : "");
  _checkProductFlat(Q, QW, `query·wQ${plus(p.bQ, "bQ")}`, "query row", (i) => query[i], "wQ column", (j) => _column(p.wQ, j));
  _checkProductFlat(K, KW, `key·wK${plus(p.bK, "bK")}`, "key row", (i) => key[i], "wK column", (j) => _column(p.wK, j));
  _checkProductFlat(V, VW, `value·wV${plus(p.bV, "bV")}`, "value row", (i) => value[i], "wV column", (j) => _column(p.wV, j));

  // 2) every head: its scores and the mask (when they can overflow), then weights·V
  let maxMask = 0;
  if (mask != null) for (const row of mask) for (const m of row) if (m > maxMask) maxMask = m;
  const scoresMayOverflow = (_maxAbs(Q) * _maxAbs(K) * dK) / Math.sqrt(dK) + maxMask >= 1e300;
  const nRep = h / hKV;
  for (let hd = 0; hd < h; hd++) {
    const g = Math.floor(hd / nRep);
    if (scoresMayOverflow) {
      for (let i = 0; i < L; i++) {
        for (let j = 0; j < S; j++) {
          let s = 0;
          for (let d = 0; d < dK; d++) s += Q[i * QW + hd * dK + d] * K[j * KW + g * dK + d];
          const qRow = () => Q.subarray(i * QW + hd * dK, i * QW + (hd + 1) * dK);
          if (s - s !== 0) throw _scoresOverflow(hd, i, j, qRow(), K.subarray(j * KW + g * dK, j * KW + (g + 1) * dK), s);
          const m = mask == null ? 0 : mask[i][j];
          const u = s / Math.sqrt(dK) + m;
          if (u - u !== 0 && u !== -Infinity) throw _maskOverflow(hd, i, j, s / Math.sqrt(dK), m);
        }
      }
    }
    for (let i = 0; i < L; i++) {
      for (let d = 0; d < dV; d++) {
        const y = concat[i * CW + hd * dV + d];
        if (y - y !== 0) throw _valuesOverflow(hd, i, d, Array.from({ length: S }, (_, j) => V[j * VW + g * dV + d]), y);
      }
    }
  }

  // 3) the output
  _checkProductFlat(output, E, `concat·wO${plus(p.bO, "bO")}`, "concat row", (i) => concat.subarray(i * CW, (i + 1) * CW),
    "wO column", (j) => _column(p.wO, j));
}

/**
 * Throw the readable path's error for the first non-finite entry of head hd's contribution head_i·W^O_i, or return.
 * @param c (L, dModel) the contribution, row-major
 * @param headRow row i of head hd's output
 */
export function _checkContribution(hd: number, c: Float64Array, E: number, dV: number, headRow: (i: number) => ArrayLike<number>, wO: Matrix): void {
  _checkProductFlat(c, E, `heads[${hd}]·wO rows of head ${hd}`, `heads[${hd}] row`, headRow,
    `wO rows of head ${hd} column`, (j) => _column(wO, j, hd * dV, (hd + 1) * dV));
}
