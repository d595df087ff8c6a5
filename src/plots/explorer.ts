/**
 * A head explorer: one heatmap of one (layer, head) of a model, with a layer dropdown and a head slider that swap
 * the matrix in the browser (plotly updatemenus + sliders, "restyle"), so it works in JupyterLab's plotly renderer
 * and in the offline handouts alike: no kernel, no callback.
 *
 * How the two selectors combine: there is one heatmap trace per head, and only the slider's head is visible
 * (the slider restyles `visible`); the dropdown restyles `z` of all the head traces to that layer's matrices.
 * The two change different properties, so any order of clicks shows (dropdown's layer, slider's head).
 *
 * Long sentences: a token axis over THEME.maxLabelledTokens is an overview (every k-th label, small cells); the
 * hover always names position and token. `queries` keeps only some query rows (filter by query).
 */
import type { Matrix } from "../math/trace";
import { _baseLayout, Figure, THEME, WEIGHTS_SCALE } from "./theme";
import { _axisLabel, _labelWidth, _wrapTitle } from "./escape";
import { _headLabel } from "./_shared";

/** Options of plotHeadExplorer. */
export interface PlotHeadExplorerOptions {
  /** (L,) the tokens (queries and keys: self-attention) */ tokens: string[];
  /** figure title (raw text) */ title?: string;
  /** the layer shown first (0-based, default 0) */ layer?: number;
  /** the head shown first (0-based, default 0; drawn as "head 1") */ head?: number;
  /** query rows to show, 0-based positions (default all): filter a long sentence by query */ queries?: number[];
  /** decimals kept in the figure's JSON (default 3; 2 halves a long sentence's size) */ digits?: number;
}

/** `${position} ${token}`: unique per position, so a repeated token keeps its own row; escaped and cut. */
export function _positionLabels(tokens: string[]): string[] {
  return tokens.map((t, i) => _axisLabel(`${i} ${t}`, THEME.maxLabelChars + 4));
}

/** Tick settings of a category axis of n labels drawn `px` apart: every label, or every k-th in an overview. */
export function _categoryTicks(n: number, px: number): Record<string, unknown> {
  const every = px >= THEME.minTokenPx && n <= THEME.maxLabelledTokens ? 1 : Math.ceil(THEME.minTokenPx / Math.max(px, 1e-9));
  return { type: "category", dtick: every, tickfont: { size: THEME.fontSize } };
}

function _round(m: Matrix, rows: number[], digits: number): number[][] {
  const f = 10 ** digits;
  return rows.map((i) => m[i].map((v) => Math.round(v * f) / f));
}

/**
 * One figure for every head of every layer: pick the layer in a dropdown, the head on a slider.
 *
 * cell (i, j) of (layer l, head h) = attentions[l][h][i][j], the weight query i puts on key j, on [0, 1]
 * @param attentions (layers, heads, L, L), e.g. `model.encode(s).attentions`
 * @param opts tokens (L,), title, layer, head, queries, digits
 * @return a Figure with updatemenus (layers) and sliders (heads)
 * @example (illustrative) show(plotHeadExplorer(enc.attentions, { tokens: enc.tokens, layer: 0, head: 2 }))
 */
export function plotHeadExplorer(attentions: Matrix[][], opts: PlotHeadExplorerOptions): Figure {
  const fn = "plotHeadExplorer";
  if (!Array.isArray(attentions) || attentions.length === 0 || !Array.isArray(attentions[0]) || attentions[0].length === 0) {
    throw new Error(`${fn}: attentions must be (layers, heads, L, L) with at least one layer and head`);
  }
  if (opts == null || !Array.isArray(opts.tokens)) throw new Error(`${fn}: opts.tokens (the L tokens) is required`);
  const nLayers = attentions.length;
  const nHeads = attentions[0].length;
  const L = opts.tokens.length;
  attentions.forEach((layer, l) => {
    if (!Array.isArray(layer) || layer.length !== nHeads) throw new Error(`${fn}: layer ${l} has ${Array.isArray(layer) ? layer.length : "no"} heads but layer 0 has ${nHeads}`);
    layer.forEach((w, h) => {
      if (!Array.isArray(w) || w.length !== L || w.some((r) => !Array.isArray(r) || r.length !== L)) {
        throw new Error(`${fn}: attentions[${l}][${h}] is not (${L}, ${L}) but tokens has ${L} entries`);
      }
    });
  });
  const layer0 = opts.layer ?? 0;
  const head0 = opts.head ?? 0;
  if (!Number.isInteger(layer0) || layer0 < 0 || layer0 >= nLayers) throw new Error(`${fn}: layer ${layer0} does not exist; layers are 0 … ${nLayers - 1}`);
  if (!Number.isInteger(head0) || head0 < 0 || head0 >= nHeads) {
    throw new Error(`${fn}: head index ${head0} does not exist; indices 0 … ${nHeads - 1} (charted as head 1 … head ${nHeads})`);
  }
  const rows = opts.queries ?? Array.from({ length: L }, (_, i) => i);
  rows.forEach((i) => {
    if (!Number.isInteger(i) || i < 0 || i >= L) throw new Error(`${fn}: queries contains ${i}, but positions are 0 … ${L - 1}`);
  });
  if (rows.length === 0) throw new Error(`${fn}: queries is empty; give at least one query position`);
  const digits = opts.digits ?? 3;
  const cells = nLayers * nHeads * rows.length * L;
  if (cells > 4_000_000) {
    throw new Error(`${fn}: ${nLayers}×${nHeads}×${rows.length}×${L} = ${cells} weights is too many for one figure; pass fewer queries (opts.queries)`);
  }

  const labels = _positionLabels(opts.tokens);
  const rowLabels = rows.map((i) => labels[i]);
  const fs = THEME.fontSize;
  const leftPx = Math.ceil(_labelWidth(rows.map((i) => `${i} ${opts.tokens[i]}`), THEME.maxLabelChars + 4, fs)) + 40; // labels + "query"
  const cellPx = Math.max(2, Math.min(THEME.maxTokenPx, Math.floor((THEME.maxWidth - leftPx - THEME.colorbarPx - 30) / L)));
  // rows: square cells, but never under a line of text while labelled, and at least 160 px in all (room for the colour bar)
  const labelled = rows.length <= THEME.maxLabelledTokens;
  const rowPx = Math.max(cellPx, labelled ? THEME.minTokenPx : 0, Math.min(THEME.maxTokenPx, Math.ceil(160 / rows.length)));
  const plotW = cellPx * L;
  const plotH = rowPx * rows.length;
  const title = _wrapTitle(opts.title ?? "attention weights: pick a layer and a head", THEME.maxWidth - 40, THEME.figureTitleSize);
  const bottomPx = Math.ceil(_labelWidth(opts.tokens.map((t, i) => `${i} ${t}`), THEME.maxLabelChars + 4, fs) * 0.75) + 40;
  const top = 40 + title.lines * 24 + 50; // title, then the dropdown row
  const sliderPx = 90;

  const data = Array.from({ length: nHeads }, (_, h) => ({
    type: "heatmap",
    name: _headLabel(h),
    z: _round(attentions[layer0][h], rows, digits), // (queries, L)
    x: labels,
    y: rowLabels,
    zmin: 0,
    zmax: 1,
    colorscale: WEIGHTS_SCALE,
    colorbar: { title: { text: "weight" }, thickness: 16, lenmode: "pixels", len: Math.min(plotH, 240) },
    visible: h === head0,
    hovertemplate: `query %{y} → key %{x}<br>weight %{z:.${digits}f}<extra>${_headLabel(h)}</extra>`,
  }));
  const headIdx = Array.from({ length: nHeads }, (_, h) => h);
  const layout: Record<string, unknown> = {
    ..._baseLayout(),
    title: { text: title.text, font: { size: THEME.figureTitleSize }, x: 0.02, xanchor: "left" },
    width: Math.min(THEME.maxWidth, leftPx + plotW + THEME.colorbarPx + 30),
    height: top + plotH + bottomPx + sliderPx,
    margin: { l: leftPx, r: THEME.colorbarPx, t: top, b: bottomPx + sliderPx },
    xaxis: { title: { text: "key" }, side: "bottom", tickangle: L > 12 ? -60 : 0, ..._categoryTicks(L, cellPx) },
    yaxis: { title: { text: "query", standoff: 8 }, autorange: "reversed", ..._categoryTicks(rows.length, rowPx) },
    updatemenus: [{
      type: "dropdown",
      x: 0, xanchor: "left", y: 1, yanchor: "bottom", pad: { t: 0, b: 10 },
      active: layer0,
      showactive: true,
      buttons: attentions.map((layer, l) => ({
        label: `layer ${l}`,
        method: "restyle",
        args: [{ z: layer.map((w) => _round(w, rows, digits)) }, headIdx],
      })),
    }],
    sliders: [{
      active: head0,
      currentvalue: { prefix: "", visible: true, font: { size: THEME.fontSize } },
      pad: { t: bottomPx - 20 },
      steps: headIdx.map((h) => ({
        label: _headLabel(h),
        method: "restyle",
        args: [{ visible: headIdx.map((k) => k === h) }, headIdx],
      })),
    }],
  };
  return { data, layout: layout as Figure["layout"] };
}
