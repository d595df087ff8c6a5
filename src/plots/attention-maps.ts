/**
 * Attention maps of different shapes and roles in one figure, each with its own row and column labels: e.g. an
 * encoder–decoder's encoder self-attention (S, S), decoder causal self-attention (T, T) and cross-attention (T, S),
 * or two models' cross-attention side by side. One shared colour scale [0, 1].
 */
import type { Matrix } from "../math/trace";
import { Figure } from "./theme";
import { _GridOptions, _Panel } from "./_panel-types";
import { _panelFigure } from "./_panels";
import { _ATTENTION_WEIGHTS_SPEC, _cellData, _describe, _labels } from "./_shared";
import { _GRID_OPTIONS, _checkOptions, _checkSizeCap } from "./_validate";

/** One map to draw. */
export interface AttentionMapPanel {
  /** panel title (raw text), e.g. "cross, layer 1 head 2" */ title: string;
  /** (L, S) attention weights: row = query, column = key */ weights: Matrix;
  /** (L,) row labels */ queryTokens: string[];
  /** (S,) column labels */ keyTokens: string[];
  /** axis titles (default "query", "key") */ queryTitle?: string;
  keyTitle?: string;
}

/**
 * Several attention maps, each (L_i, S_i) with its own labels, one heatmap per panel on one colour scale [0, 1].
 *   panel_i = A_i, rows = queries, columns = keys
 * @param maps the panels, e.g. [{ title: "encoder", weights: (S, S), queryTokens: src, keyTokens: src }, …]
 * @param opts grid options (title, columns, maxColumns, maxLabelChars, tokenPx)
 * @example plotAttentionMaps([{ title: "a", weights: [[1]], queryTokens: ["x"], keyTokens: ["y"] }, { title: "b", weights: [[0.5, 0.5]], queryTokens: ["x"], keyTokens: ["y", "z"] }]).data.length // returns 2
 * @example plotAttentionMaps([{ title: "a", weights: [[1, 0]], queryTokens: ["x"], keyTokens: ["y"] }]) // throws "plotAttentionMaps: maps[0].keyTokens has 1 labels but the map has 2 key columns"
 */
export function plotAttentionMaps(maps: AttentionMapPanel[], opts: _GridOptions = {}): Figure {
  const fn = "plotAttentionMaps";
  _checkOptions(fn, opts, _GRID_OPTIONS);
  if (!Array.isArray(maps) || maps.length === 0) throw new Error(`${fn}: maps must be a non-empty array of { title, weights, queryTokens, keyTokens }, got ${_describe(maps)}`);
  let cells = 0;
  const panels: _Panel[] = maps.map((m, i) => {
    const at = `maps[${i}]`;
    if (m == null || typeof m !== "object") throw new Error(`${fn}: ${at} must be { title, weights, queryTokens, keyTokens }, got ${_describe(m)}`);
    const W = m.weights;
    if (!Array.isArray(W) || W.length === 0 || !Array.isArray(W[0]) || W[0].length === 0) throw new Error(`${fn}: ${at}.weights must be a non-empty (L, S) matrix, got ${_describe(W)}`);
    const L = W.length;
    const S = W[0].length;
    W.forEach((row, r) => {
      if (!Array.isArray(row) || row.length !== S) throw new Error(`${fn}: ${at}.weights row ${r} has ${Array.isArray(row) ? row.length : _describe(row)} entries but row 0 has ${S}`);
      row.forEach((w, c) => {
        if (typeof w !== "number" || !Number.isFinite(w)) throw new Error(`${fn}: ${at}.weights[${r}][${c}] is ${_describe(w)}, not a finite weight`);
      });
    });
    if (!Array.isArray(m.queryTokens) || m.queryTokens.length !== L) throw new Error(`${fn}: ${at}.queryTokens has ${Array.isArray(m.queryTokens) ? m.queryTokens.length : _describe(m.queryTokens)} labels but the map has ${L} query rows`);
    if (!Array.isArray(m.keyTokens) || m.keyTokens.length !== S) throw new Error(`${fn}: ${at}.keyTokens has ${Array.isArray(m.keyTokens) ? m.keyTokens.length : _describe(m.keyTokens)} labels but the map has ${S} key columns`);
    cells += L * S;
    return {
      z: W, // (L, S)
      rows: { labels: m.queryTokens, title: m.queryTitle ?? "query" },
      cols: { labels: m.keyTokens, title: m.keyTitle ?? "key" },
      title: String(m.title),
      scale: _ATTENTION_WEIGHTS_SPEC,
      customdata: _cellData(_labels(m.queryTokens, L), _labels(m.keyTokens, S)), // escaped for the hover
      hovertemplate: `query: %{customdata[0]}<br>key: %{customdata[1]}<br>weight: %{z:.3f}<extra></extra>`,
    };
  });
  _checkSizeCap(fn, cells, `${maps.length} maps`, "draw fewer maps");
  return _panelFigure(panels, { title: opts.title, columns: opts.columns, maxColumns: opts.maxColumns, maxLabelChars: opts.maxLabelChars, tokenPx: opts.tokenPx });
}
