/**
 * The pixel layout engine behind every heatmap figure: sizes each panel's axes in pixels (so cells stay square
 * and labels never run into the next panel), places the grid columns so panel titles keep apart, stacks the
 * colour bars, and chooses the number of columns and the shrink factor that fit THEME.maxWidth.
 * Pure geometry: it returns numbers, and _panels.ts turns them into Plotly axis domains.
 */
import { THEME } from "./theme";
import { _labelWidth, _textWidth, _visibleText, escapePlotlyText } from "./escape";
import { _AxisSpec, _Panel, _PanelFigureOptions } from "./_panel-types";

/** The pixel geometry of one panel axis. */
export interface _AxisGeom {
  n: number;
  px: number; // pixels per position
  len: number; // panel length in px
  tokens: boolean;
  labelThickness: number; // px the tick labels (and title) take away from the panel
  tickangle: number;
}

/** Size one axis: pixels per position, panel length, and the room its tick labels (and title) take. */
export function _axisGeom(ax: _AxisSpec, tokenPx: number, maxChars: number, alongX: boolean, indexPanelPx: number): _AxisGeom {
  const fs = THEME.fontSize;
  const tokens = ax.labels !== undefined;
  const n = tokens ? ax.labels!.length : ax.count ?? 0;
  // an overview of a long token axis gets a larger panel than a few dimensions do
  const target = ax.overview ? indexPanelPx * (THEME.targetOverviewPx / THEME.targetIndexPanelPx) : indexPanelPx;
  const px = tokens ? tokenPx : Math.min(tokenPx, Math.max(target / Math.max(n, 1), 1));
  const len = Math.max(n * px, 1);
  const labelW = tokens ? _labelWidth(ax.labels!, maxChars, fs) : _labelWidth([String(Math.max(n - 1, 0))], Infinity, fs);
  let tickangle = 0;
  let labelThickness: number;
  if (alongX) {
    // labels wider than a column are drawn vertically, so they never overlap their neighbours
    if (tokens && labelW > px) tickangle = -90;
    labelThickness = tickangle === -90 ? labelW + 4 : fs + 10;
  } else {
    labelThickness = labelW + 4;
  }
  if (ax.title) labelThickness += fs + 10;
  return { n, px, len, tokens, labelThickness, tickangle };
}

/** Smallest horizontal distance in px between two panel titles of the same grid row. */
const _TITLE_GAP = 16;

/**
 * Place the grid columns left to right in pixels: row labels, then the panel, then a gap; and move a column
 * further right when its panel title (centred over the panel, often wider than a narrow panel) would come
 * closer than _TITLE_GAP to the title on its left, or run off the left edge.
 *
 * x_c = max(right_{c−1} + gap + labels_c, max_r (titleRight_{r,c−1} + _TITLE_GAP + titleW_{r,c}/2 − len_{r,c}/2))
 * @param lens (n,) panel widths in px, in reading order
 * @param labelW (n,) px of row labels drawn in front of each panel (0 when not drawn)
 * @param titleW (n,) estimated title widths in px
 * @param columns panels per grid row
 * @example _placeColumns([100], [0], [50], 1) // returns { colX: [0], plotW: 100 }
 */
export function _placeColumns(lens: number[], labelW: number[], titleW: number[], columns: number): { colX: number[]; plotW: number } {
  const nRows = Math.ceil(lens.length / columns);
  const colLeft = new Array(columns).fill(0);
  const colW = new Array(columns).fill(0);
  lens.forEach((len, i) => {
    colLeft[i % columns] = Math.max(colLeft[i % columns], labelW[i]);
    colW[i % columns] = Math.max(colW[i % columns], len);
  });
  const titleRight = new Array(nRows).fill(-Infinity); // right edge of the last placed title in each grid row
  const colX: number[] = [];
  let right = -THEME.gapPx; // right edge of the last placed column's panels
  for (let c = 0; c < columns; c++) {
    let x0 = right + THEME.gapPx + colLeft[c];
    for (let r = 0; r < nRows; r++) {
      const i = r * columns + c;
      if (i >= lens.length) continue;
      const minTitleLeft = c === 0 ? 0 : titleRight[r] + _TITLE_GAP;
      x0 = Math.max(x0, minTitleLeft + titleW[i] / 2 - lens[i] / 2);
    }
    colX.push(x0);
    for (let r = 0; r < nRows; r++) {
      const i = r * columns + c;
      if (i < lens.length) titleRight[r] = x0 + lens[i] / 2 + titleW[i] / 2;
    }
    right = x0 + colW[c];
  }
  return { colX, plotW: Math.max(right, ...titleRight.filter(Number.isFinite)) };
}

/** Balanced number of panels per grid row for at most `c` columns: 12 panels at c = 5 give 4 (3 full rows). */
function _balanced(n: number, c: number): number {
  return Math.ceil(n / Math.ceil(n / c));
}

/** How the colour bars are stacked: `perCol` bars above each other in each of `cols` columns of THEME.colorbarPx. */
function _barColumns(nScales: number, plotH: number): { cols: number; perCol: number } {
  if (nScales <= 1) return { cols: nScales, perCol: 1 };
  const fit = Math.max(1, Math.floor((plotH + 24) / (THEME.minColorbarPx + 24)));
  const cols = Math.ceil(nScales / fit);
  return { cols, perCol: Math.ceil(nScales / cols) };
}

/** The whole grid's geometry for one (columns, shrink) choice. */
export interface _Grid {
  columns: number;
  geo: Array<{ x: _AxisGeom; y: _AxisGeom; showY: boolean; showX: boolean }>;
  titleW: number[];
  colX: number[];
  plotW: number;
  rowY: number[];
  plotH: number;
  bars: { cols: number; perCol: number };
  width: number;
}

/**
 * Lay the panels out with `columns` per grid row at `shrink` × the preferred pixel sizes.
 *
 * width = 8 + Σ_columns (row labels + panel + gap) + colour-bar columns · THEME.colorbarPx + 8
 */
export function _grid(panels: _Panel[], opts: _PanelFigureOptions, maxChars: number, tokenPx0: number, columns: number, shrink: number): _Grid {
  const tokenPx = Math.max(THEME.minTokenPx, Math.round(tokenPx0 * shrink));
  const indexPx = THEME.targetIndexPanelPx * shrink;
  const geo = panels.map((p, i) => ({
    x: _axisGeom(p.cols, tokenPx, maxChars, true, indexPx),
    y: _axisGeom(p.rows, tokenPx, maxChars, false, indexPx),
    showY: p.showRowLabels !== false && (!opts.sharedRowLabels || i % columns === 0),
    showX: p.showColLabels !== false,
  }));
  // titles are measured as drawn: the markup's visible text (sub/superscripts counted at full size)
  const titleW = panels.map((p) => _textWidth(_visibleText(p.titleMarkup ?? escapePlotlyText(p.title)), THEME.titleSize));
  const { colX, plotW } = _placeColumns(geo.map((g) => g.x.len), geo.map((g) => (g.showY ? g.y.labelThickness : 0)), titleW, columns);
  const nRows = Math.ceil(panels.length / columns);
  const rowH = new Array(nRows).fill(0);
  const rowBottom = new Array(nRows).fill(0);
  const titleH = new Array(nRows).fill(0); // a grid row of untitled panels needs no title band
  geo.forEach((g, i) => {
    const r = Math.floor(i / columns);
    if (panels[i].title !== "" || panels[i].titleMarkup) titleH[r] = THEME.titleSize + 14;
    rowH[r] = Math.max(rowH[r], g.y.len);
    if (g.showX) rowBottom[r] = Math.max(rowBottom[r], g.x.labelThickness);
  });
  const rowY: number[] = [];
  let y = 0;
  for (let r = 0; r < nRows; r++) {
    y += titleH[r] || (r === 0 ? 8 : 0);
    rowY.push(y);
    y += rowH[r] + rowBottom[r] + THEME.gapPx;
  }
  const plotH = y - THEME.gapPx;
  const bars = _barColumns(new Set(panels.map((p) => p.scale.key)).size, plotH);
  const width = 8 + plotW + bars.cols * THEME.colorbarPx + 8;
  return { columns, geo, titleW, colX, plotW, rowY, plotH, bars, width };
}

/**
 * Choose the grid: the most panels per row (at most 6, rows balanced) that fit THEME.maxWidth with panels at
 * no less than THEME.minShrink of their preferred size (the least shrinking for that many columns); with
 * opts.columns fixed, only the shrinking. Token rows never go below THEME.minTokenPx (one line of 14 px text).
 */
export function _chooseGrid(panels: _Panel[], opts: _PanelFigureOptions, maxChars: number, tokenPx0: number): _Grid {
  const n = panels.length;
  const counts: number[] = [];
  if (opts.columns !== undefined) counts.push(Math.max(1, Math.min(n, opts.columns)));
  else for (let c = Math.min(n, opts.maxColumns ?? 6); c >= 1; c--) if (!counts.includes(_balanced(n, c))) counts.push(_balanced(n, c));
  const shrinks: number[] = [];
  for (let s = 1; s >= THEME.minShrink - 1e-9; s -= 0.05) shrinks.push(Math.round(s * 100) / 100);
  let narrowest: _Grid | undefined;
  for (const c of counts) {
    for (const s of shrinks) {
      const g = _grid(panels, opts, maxChars, tokenPx0, c, s);
      if (g.width <= THEME.maxWidth) return g;
      if (!narrowest || g.width < narrowest.width) narrowest = g;
    }
  }
  // nothing fits at THEME.minShrink (very long labels): shrink the last choice down to the smallest cells
  const c = counts[counts.length - 1];
  for (let s = THEME.minShrink; s >= 0.2; s -= 0.05) {
    const g = _grid(panels, opts, maxChars, tokenPx0, c, s);
    if (g.width <= THEME.maxWidth) return g;
    if (g.width < narrowest!.width) narrowest = g;
  }
  return narrowest!;
}

/**
 * Preferred pixels per token row/column before any shrinking: about THEME.targetPanelPx for the longest token
 * axis, between THEME.minTokenPx and THEME.maxTokenPx (or opts.tokenPx when given).
 *
 * tokenPx = clamp(floor(targetPanelPx / max tokens), minTokenPx, maxTokenPx)
 * @example _preferredTokenPx([], {}) // returns 48
 */
export function _preferredTokenPx(panels: _Panel[], opts: _PanelFigureOptions): number {
  let maxTokens = 1;
  for (const p of panels) maxTokens = Math.max(maxTokens, p.rows.labels?.length ?? 0, p.cols.labels?.length ?? 0);
  return opts.tokenPx ?? Math.max(THEME.minTokenPx, Math.min(THEME.maxTokenPx, Math.floor(THEME.targetPanelPx / maxTokens)));
}
