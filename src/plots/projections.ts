import { AttentionTrace, Matrix, MhaParams } from "../math/trace";
import { Figure } from "./theme";
import { _GridOptions, _Panel, _ScaleSpec } from "./_panel-types";
import { _panelFigure } from "./_panels";
import { TokenOptions, _cellData, _checkHead, _describe, _divergingScale, _headLabel, _labels, _numHeads, _tokens } from "./_shared";
import { _GRID_OPTIONS, _TOKEN_OPTIONS, _checkGrid, _checkOptions, _checkSizeCap } from "./_validate";

/** Columns from..to−1 of a matrix. */
function _cols(a: Matrix, from: number, to: number): Matrix {
  return a.map((row) => row.slice(from, to)); // (rows, to − from)
}

/** Options of plotProjections. */
export interface PlotProjectionsOptions extends TokenOptions, _GridOptions {
  /** the head to show (0-based), default 0 */ head?: number;
}

/**
 * One head's projections Q_i, K_i, V_i (top row) and its weight matrices W_i^Q, W_i^K, W_i^V (bottom row),
 * on diverging colour scales centred at 0 (one for activations, one for weights).
 *
 * Q_i = X·W_i^Q (L, dK), K_i = X·W_i^K (S, dK), V_i = X·W_i^V (S, dV); W_i^Q = wQ[:, i·dK … (i+1)·dK − 1] (dModel, dK)
 * @param trace the trace of `MultiHeadAttention.forward`
 * @param params the layer's parameters (paper orientation, wQ (dModel, h·dK))
 * @param opts head (0-based), token labels
 * @example plotProjections(trace, mha.params, { head: 0 }).data.length // returns 6
 */
export function plotProjections(trace: AttentionTrace, params: MhaParams, opts: PlotProjectionsOptions = {}): Figure {
  const fn = "plotProjections";
  _checkOptions(fn, opts, { ..._TOKEN_OPTIONS, ..._GRID_OPTIONS, head: "index" });
  const h = opts.head ?? 0;
  _checkHead(fn, _numHeads(fn, trace), h);
  if (!params || typeof params !== "object") throw new Error(`${fn}: params must be the layer's parameters (mha.params), got ${_describe(params)}`);
  const hd = trace.heads[h];
  const L = hd.q.length;
  const S = hd.k.length;
  const { q: qt, k: kt } = _tokens(opts, L, S);
  const dK = hd.q[0]?.length ?? 0;
  const dV = hd.v[0]?.length ?? 0;
  for (const [name, w, d] of [["wQ", params.wQ, dK], ["wK", params.wK, dK], ["wV", params.wV, dV]] as const) {
    const [, cols] = _checkGrid(fn, `params.${name}`, w);
    if (cols < (h + 1) * d) throw new Error(`${fn}: params.${name} has ${cols} columns, too few for head ${h + 1} (columns ${h * d} … ${(h + 1) * d - 1}); is it this trace's layer?`);
  }
  _checkSizeCap(fn, (L + 2 * S) * Math.max(dK, dV), `Q, K, V of ${L}, ${S}, ${S} rows`, "pass a shorter sequence");
  const wq = _cols(params.wQ, h * dK, (h + 1) * dK); // (dModel, dK)
  const wk = _cols(params.wK, h * dK, (h + 1) * dK); // (kdim, dK)
  const wv = _cols(params.wV, h * dV, (h + 1) * dV); // (vdim, dV)
  const act = _divergingScale("activations", "Q, K, V", [hd.q, hd.k, hd.v]);
  const wts = _divergingScale("weights", "W", [wq, wk, wv]);
  const qLab = _labels(qt, L);
  const kLab = _labels(kt, S);
  const n = h + 1;
  // self-attention: queries and keys are the same tokens, so their rows are labelled "token"
  const sameKeys = (kt ?? kLab).length === (qt ?? qLab).length && (kt ?? kLab).every((t, i) => t === (qt ?? qLab)[i]);
  const panel = (z: Matrix, title: string, markup: string, rows: string[] | undefined, rowLab: string[], rowName: string, scale: _ScaleSpec): _Panel => {
    const colLab = _labels(undefined, z[0]?.length ?? 0);
    return {
      z,
      rows: rows ? { labels: rows, title: sameKeys ? "token" : rowName } : { count: z.length, title: rowName },
      cols: { count: z[0]?.length ?? 0, title: "dim" },
      title,
      titleMarkup: markup,
      scale,
      customdata: _cellData(rowLab, colLab),
      hovertemplate: `${rowName}: %{customdata[0]}<br>dim: %{customdata[1]}<br>value: %{z:.3f}<extra>${title}</extra>`,
    };
  };
  const panels = [
    panel(hd.q, `Q_${n} = X·W^Q_${n}`, `Q<sub>${n}</sub> = X·W<sub>${n}</sub><sup>Q</sup>  (${L}×${dK})`, qt ?? qLab, qLab, "query", act),
    panel(hd.k, `K_${n} = X·W^K_${n}`, `K<sub>${n}</sub> = X·W<sub>${n}</sub><sup>K</sup>  (${S}×${dK})`, kt ?? kLab, kLab, "key", act),
    panel(hd.v, `V_${n} = X·W^V_${n}`, `V<sub>${n}</sub> = X·W<sub>${n}</sub><sup>V</sup>  (${S}×${dV})`, kt ?? kLab, kLab, "key", act),
    panel(wq, `W^Q_${n}`, `W<sub>${n}</sub><sup>Q</sup>  (${wq.length}×${dK})`, undefined, _labels(undefined, wq.length), "input dim", wts),
    panel(wk, `W^K_${n}`, `W<sub>${n}</sub><sup>K</sup>  (${wk.length}×${dK})`, undefined, _labels(undefined, wk.length), "input dim", wts),
    panel(wv, `W^V_${n}`, `W<sub>${n}</sub><sup>V</sup>  (${wv.length}×${dV})`, undefined, _labels(undefined, wv.length), "input dim", wts),
  ];
  // self-attention with equal widths: every panel of a grid row has the same rows, so label them once
  const sameW = wq.length === wk.length && wk.length === wv.length;
  return _panelFigure(panels, { ...opts, sharedRowLabels: sameKeys && sameW, maxColumns: opts.maxColumns ?? 3, title: opts.title ?? `${_headLabel(h)}: projections (L=${L}, S=${S}, dK=${dK}, dV=${dV})` });
}
