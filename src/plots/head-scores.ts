import { DIVERGING_SCALE, Figure, THEME, WEIGHTS_SCALE } from "./theme";
import { _Panel, _ScaleSpec } from "./_panel-types";
import { _panelFigure } from "./_panels";
import { _cellData, _fmt, _headLabel, _labels } from "./_shared";
import { _labelWidth, escapePlotlyText } from "./escape";
import { _checkGrid, _checkOptions, _checkSizeCap } from "./_validate";

/** Options of plotHeadScores. */
export interface PlotHeadScoresOptions {
  /** figure title (raw text) */ title?: string;
  /** (layers,) one label per row; default "layer 0", "layer 1", … */ rowLabels?: string[];
  /** (heads,) one label per column; default "head 1", "head 2", … */ colLabels?: string[];
  /** what one number is, for the hover and the colour bar; default "score" */ valueName?: string;
  /** bottom of the colour scale, default 0 (below 0 the scale turns diverging, centred at 0) */ zmin?: number;
  /** top of the colour scale, default 1 */ zmax?: number;
}

/**
 * One number per head of a model, as a (layer × head) heatmap with the value written in each cell, e.g. the
 * previous-token score of every head of all-MiniLM-L6-v2 (6 × 12).
 *
 * cell (l, h) = scores[l][h]; colour on [zmin, zmax] (white → blue, or blue ← 0 → red when zmin < 0)
 * @param scores (layers, heads) one number per head, e.g. headPatternScores(...)[h].previous per layer
 * @param opts title, rowLabels (layers,), colLabels (heads,), valueName, zmin, zmax
 * @example plotHeadScores([[0.1, 0.9]], { title: "previous-token score" }).data[0].z // returns [[0.1, 0.9]]
 */
export function plotHeadScores(scores: number[][], opts: PlotHeadScoresOptions = {}): Figure {
  _checkOptions("plotHeadScores", opts, { title: "string", rowLabels: "strings", colLabels: "strings", valueName: "string", zmin: "number", zmax: "number" });
  if (!Array.isArray(scores) || scores.length === 0 || !Array.isArray(scores[0]) || scores[0].length === 0) {
    throw new Error("plotHeadScores: scores is empty, expected a (layers, heads) grid with at least one number");
  }
  const nLayers = scores.length;
  const nHeads = scores[0].length;
  scores.forEach((row, l) => {
    if (!Array.isArray(row) || row.length !== nHeads) {
      throw new Error(`plotHeadScores: scores row ${l} has ${Array.isArray(row) ? row.length : "no"} heads but row 0 has ${nHeads}`);
    }
  });
  _checkGrid("plotHeadScores", "scores", scores, "a (layers, heads) grid of numbers");
  _checkSizeCap("plotHeadScores", nLayers * nHeads, `${nLayers} layers × ${nHeads} heads`, "pass fewer layers");
  if (opts.rowLabels && opts.rowLabels.length !== nLayers) {
    throw new Error(`plotHeadScores: rowLabels has ${opts.rowLabels.length} labels but scores has ${nLayers} rows (layers)`);
  }
  if (opts.colLabels && opts.colLabels.length !== nHeads) {
    throw new Error(`plotHeadScores: colLabels has ${opts.colLabels.length} labels but scores has ${nHeads} columns (heads)`);
  }
  const zmin = opts.zmin ?? 0;
  const zmax = opts.zmax ?? 1;
  if (!(Number.isFinite(zmin) && Number.isFinite(zmax) && zmin < zmax)) {
    throw new Error(`plotHeadScores: zmin (${zmin}) must be finite and below zmax (${zmax})`);
  }
  const rows = opts.rowLabels ?? Array.from({ length: nLayers }, (_, l) => `layer ${l}`);
  const cols = opts.colLabels ?? Array.from({ length: nHeads }, (_, h) => _headLabel(h));
  const valueName = opts.valueName ?? "score";
  const scale: _ScaleSpec =
    zmin < 0
      ? { key: "scores", title: valueName, colorscale: DIVERGING_SCALE, zmin, zmax, zmid: zmax > 0 ? 0 : undefined }
      : { key: "scores", title: valueName, colorscale: WEIGHTS_SCALE, zmin, zmax };
  // cells wide enough for the written value and, when the figure still fits, horizontal column labels
  const fs = THEME.fontSize;
  const labelW = (ls: string[]) => _labelWidth(ls, THEME.maxLabelChars, fs);
  const rowLabelW = labelW(rows) + 4;
  const room = THEME.maxWidth - rowLabelW - THEME.colorbarPx - 40;
  const cellPx = (ls: string[]) => Math.max(THEME.minTokenPx, Math.min(Math.max(48, Math.ceil(labelW(ls))), Math.floor(room / nHeads)));
  // the default "head 1 … head h" labels that would have to turn vertical become "1 … h" under an axis title "head"
  const numbered = opts.colLabels === undefined && labelW(cols) > cellPx(cols);
  const axisCols = numbered ? cols.map((_, h) => String(h + 1)) : cols;
  const tokenPx = cellPx(axisCols);
  const panel: _Panel = {
    z: scores, // (layers, heads)
    rows: { labels: rows },
    cols: numbered ? { labels: axisCols, title: "head" } : { labels: cols },
    title: "",
    scale,
    text: scores.map((row) => row.map((v) => _fmt(v))),
    customdata: _cellData(_labels(rows, nLayers), _labels(cols, nHeads)),
    hovertemplate: `%{customdata[0]}, %{customdata[1]}<br>${escapePlotlyText(valueName)}: %{z:.3f}<extra></extra>`,
  };
  return _panelFigure([panel], { title: opts.title, tokenPx });
}
