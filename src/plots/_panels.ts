/**
 * The layout engine behind every heatmap figure: a grid of panels whose sizes are computed in pixels
 * (so cells stay square and labels never run into the next panel), then turned into Plotly axis domains.
 * Private to src/plots: builders describe panels, this file places them.
 */
import { ColorScale, Figure, THEME, _baseLayout } from "./theme";
import { _axisLabel, _textWidth, _truncate, _visibleText, _wrapTitle, escapePlotlyText } from "./escape";

/** One axis of a panel: either token labels (every one drawn) or a count of index positions. */
export interface _AxisSpec {
  /** raw (unescaped) labels, one per position, drawn in order */ labels?: string[];
  /** number of index positions (dimensions) when there are no labels; ticks are thinned */ count?: number;
  /** axis title drawn next to the axis, e.g. "dK" (raw text) */ title?: string;
}

/** A colour scale with its range; panels with the same `key` share one colour bar. */
export interface _ScaleSpec {
  key: string;
  title: string;
  colorscale: ColorScale;
  zmin: number;
  zmax: number;
  zmid?: number;
  tickvals?: number[];
  ticktext?: string[];
}

/** One heatmap panel. */
export interface _Panel {
  /** (rows, cols); non-finite values are drawn as missing (grey) */ z: number[][];
  rows: _AxisSpec;
  cols: _AxisSpec;
  /** raw title text */ title: string;
  /** trusted plotly markup for the title, built by a builder from numbers and fixed text only (never tokens) */
  titleMarkup?: string;
  titleColor?: string;
  scale: _ScaleSpec;
  /** plotly hovertemplate; customdata[r][c] holds escaped strings / numbers it refers to */ hovertemplate: string;
  customdata?: unknown[][][];
  /** text drawn in each cell when cells are large enough (raw, escaped here) */ text?: string[][];
  /** draw the row labels (default true) */ showRowLabels?: boolean;
  /** draw the column labels (default true) */ showColLabels?: boolean;
  /** extra plotly shapes in this panel's data coordinates (xref/yref are filled in) */ shapes?: Array<Record<string, unknown>>;
}

/** Options every grid figure accepts. */
export interface _GridOptions {
  /** panels per grid row; chosen to fit THEME.maxWidth when omitted */ columns?: number;
  /** at most this many panels per grid row when `columns` is omitted (default 6) */ maxColumns?: number;
  /** figure title (raw text) */ title?: string;
  /** labels longer than this are cut with "…" on the axes */ maxLabelChars?: number;
  /** pixels per token row/column */ tokenPx?: number;
  /** draw row labels only in the first grid column (all panels share the same rows) */ sharedRowLabels?: boolean;
}

interface _AxisGeom {
  n: number;
  px: number; // pixels per position
  len: number; // panel length in px
  tokens: boolean;
  labelThickness: number; // px the tick labels (and title) take away from the panel
  tickangle: number;
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

/** Format a number for a cell or hover: 2 decimals, "−∞"/"+∞" for infinities. */
export function _fmt(v: number, digits = 2): string {
  if (v === -Infinity) return "−∞";
  if (v === Infinity) return "+∞";
  if (Number.isNaN(v)) return "NaN";
  const s = v.toFixed(digits);
  return s.startsWith("-") ? "−" + s.slice(1) : s;
}

/** Escaped labels, falling back to indices, for `n` positions. */
export function _labels(labels: string[] | undefined, n: number): string[] {
  return Array.from({ length: n }, (_, i) => (labels && i < labels.length ? escapePlotlyText(labels[i]) : String(i)));
}

/** Check that a token list matches a matrix dimension, with an error naming both numbers. */
export function _checkTokens(name: string, tokens: string[] | undefined, n: number, what: string): void {
  if (tokens !== undefined && tokens.length !== n) {
    throw new Error(`${name} has ${tokens.length} tokens but ${what} is ${n}`);
  }
}

function _axisGeom(ax: _AxisSpec, tokenPx: number, maxChars: number, alongX: boolean, indexPanelPx: number): _AxisGeom {
  const fs = THEME.fontSize;
  const tokens = ax.labels !== undefined;
  const n = tokens ? ax.labels!.length : ax.count ?? 0;
  const px = tokens ? tokenPx : Math.min(tokenPx, Math.max(indexPanelPx / Math.max(n, 1), 1));
  const len = Math.max(n * px, 1);
  let labelW: number;
  if (tokens) {
    labelW = Math.max(0, ...ax.labels!.map((s) => _textWidth(_truncate(s, maxChars), fs))) + 8;
  } else {
    labelW = _textWidth(String(Math.max(n - 1, 0)), fs) + 8;
  }
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

function _axisLayout(ax: _AxisSpec, g: _AxisGeom, show: boolean, maxChars: number, reversed: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    range: reversed ? [g.n - 0.5, -0.5] : [-0.5, g.n - 0.5],
    showgrid: false,
    zeroline: false,
    showline: false,
    ticks: "",
    fixedrange: true,
    automargin: false,
    showticklabels: show,
    tickfont: { size: THEME.fontSize },
  };
  if (g.tokens) {
    out.tickmode = "array";
    out.tickvals = ax.labels!.map((_, i) => i);
    out.ticktext = ax.labels!.map((s) => _axisLabel(s, maxChars));
    out.tickangle = g.tickangle;
  } else {
    if (g.n <= 12 && g.px >= THEME.fontSize + 2) {
      // few, wide positions: number every one
      out.tickmode = "linear";
      out.tick0 = 0;
      out.dtick = 1;
    } else {
      out.tickmode = "auto";
      out.nticks = Math.min(Math.max(g.n, 1), 6);
    }
    out.tickformat = "d";
    out.tickangle = 0;
  }
  if (ax.title && show) out.title = { text: escapePlotlyText(ax.title), font: { size: THEME.fontSize }, standoff: 4 };
  return out;
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
function _placeColumns(lens: number[], labelW: number[], titleW: number[], columns: number): { colX: number[]; plotW: number } {
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
interface _Grid {
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
function _grid(panels: _Panel[], opts: _GridOptions, maxChars: number, tokenPx0: number, columns: number, shrink: number): _Grid {
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
function _chooseGrid(panels: _Panel[], opts: _GridOptions, maxChars: number, tokenPx0: number): _Grid {
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
 * Build a figure from panels laid out in a grid that fits THEME.maxWidth.
 *
 * width = Σ_columns (row-label width + panel width + gap) + colour bars ≤ THEME.maxWidth; height likewise per grid row.
 * @param panels the heatmaps, in reading order (left to right, top to bottom)
 * @param opts grid options
 * @example _panelFigure([panel], {}).data.length // returns 1
 */
export function _panelFigure(panels: _Panel[], opts: _GridOptions = {}): Figure {
  const maxChars = opts.maxLabelChars ?? THEME.maxLabelChars;
  const maxTokens = Math.max(
    1,
    ...panels.map((p) => Math.max(p.rows.labels?.length ?? 0, p.cols.labels?.length ?? 0)),
  );
  const tokenPx0 =
    opts.tokenPx ?? Math.max(THEME.minTokenPx, Math.min(THEME.maxTokenPx, Math.floor(THEME.targetPanelPx / maxTokens)));
  const grid = _chooseGrid(panels, opts, maxChars, tokenPx0);
  const { columns, geo, colX, plotW, rowY, plotH, bars } = grid;

  const scaleKeys: string[] = [];
  for (const p of panels) if (!scaleKeys.includes(p.scale.key)) scaleKeys.push(p.scale.key);
  const title = opts.title ? _wrapTitle(opts.title, THEME.maxWidth - 24, THEME.figureTitleSize) : undefined;
  const margin = { l: 8, r: bars.cols * THEME.colorbarPx + 8, t: title ? 56 + 24 * (title.lines - 1) : 8, b: 8, pad: 0 };
  // a narrow grid under a long figure title: widen the right margin so the title is not cut off
  if (title) margin.r += Math.max(0, Math.min(THEME.maxWidth, Math.ceil(title.width + 24)) - (margin.l + plotW + margin.r));

  const layout: Record<string, unknown> & { height: number; width: number } = {
    ..._baseLayout(),
    width: Math.round(margin.l + plotW + margin.r),
    height: Math.round(margin.t + plotH + margin.b),
    margin,
  };
  if (title) {
    layout.title = {
      text: title.text,
      font: { size: THEME.figureTitleSize },
      x: 0,
      xref: "paper",
      xanchor: "left",
      y: 1,
      yref: "container",
      yanchor: "top",
      pad: { t: 12 },
    };
  }
  const annotations: Array<Record<string, unknown>> = [];
  const shapes: Array<Record<string, unknown>> = [];
  const data: Array<Record<string, unknown>> = [];
  const seenScale = new Set<string>();

  panels.forEach((p, i) => {
    const g = geo[i];
    const c = i % columns;
    const r = Math.floor(i / columns);
    const k = i + 1;
    const xName = k === 1 ? "xaxis" : `xaxis${k}`;
    const yName = k === 1 ? "yaxis" : `yaxis${k}`;
    const xRef = k === 1 ? "x" : `x${k}`;
    const yRef = k === 1 ? "y" : `y${k}`;
    const x0 = colX[c];
    const y0 = rowY[r];
    const xDom = [x0 / plotW, Math.min(1, (x0 + g.x.len) / plotW)];
    const yDom = [Math.max(0, 1 - (y0 + g.y.len) / plotH), 1 - y0 / plotH];
    layout[xName] = { ..._axisLayout(p.cols, g.x, g.showX, maxChars, false), domain: xDom, anchor: yRef };
    layout[yName] = { ..._axisLayout(p.rows, g.y, g.showY, maxChars, true), domain: yDom, anchor: xRef };
    if (p.title !== "" || p.titleMarkup) annotations.push({
      text: p.titleMarkup ?? escapePlotlyText(p.title),
      x: (xDom[0] + xDom[1]) / 2,
      y: yDom[1],
      xref: "paper",
      yref: "paper",
      xanchor: "center",
      yanchor: "bottom",
      yshift: 4,
      showarrow: false,
      font: { size: THEME.titleSize, color: p.titleColor ?? THEME.textColor },
    });
    for (const s of p.shapes ?? []) shapes.push({ ...s, xref: xRef, yref: yRef });

    const first = !seenScale.has(p.scale.key);
    seenScale.add(p.scale.key);
    const si = scaleKeys.indexOf(p.scale.key);
    const trace: Record<string, unknown> = {
      type: "heatmap",
      name: escapePlotlyText(p.title),
      z: _finite(p.z),
      xaxis: xRef,
      yaxis: yRef,
      colorscale: p.scale.colorscale,
      zmin: p.scale.zmin,
      zmax: p.scale.zmax,
      zauto: false,
      showscale: first,
      hovertemplate: p.hovertemplate,
      hoverongaps: false,
      xgap: g.x.px >= 12 ? 1 : 0,
      ygap: g.y.px >= 12 ? 1 : 0,
    };
    if (p.scale.zmid !== undefined) trace.zmid = p.scale.zmid;
    if (p.customdata) trace.customdata = p.customdata;
    if (p.text && g.x.px >= 42 && g.y.px >= 24) {
      trace.text = p.text.map((row) => row.map((s) => escapePlotlyText(s)));
      trace.texttemplate = "%{text}";
      trace.textfont = { size: THEME.fontSize };
    }
    if (first) {
      // bars stacked bars.perCol high in bars.cols columns, each in its own slot of the plot height
      const slot = (plotH + 24) / bars.perCol;
      const cb: Record<string, unknown> = {
        title: { text: escapePlotlyText(p.scale.title), side: "right", font: { size: THEME.fontSize } },
        tickfont: { size: THEME.fontSize },
        thickness: 16,
        len: Math.min(1, Math.max(0.3, 300 / plotH), (slot - 24) / plotH),
        lenmode: "fraction",
        x: 1 + (Math.floor(si / bars.perCol) * THEME.colorbarPx + 12) / plotW,
        xanchor: "left",
        xref: "paper",
        y: 1 - ((si % bars.perCol) * slot) / plotH,
        yanchor: "top",
        outlinewidth: 0,
      };
      if (p.scale.tickvals) {
        cb.tickmode = "array";
        cb.tickvals = p.scale.tickvals;
        cb.ticktext = (p.scale.ticktext ?? []).map((s) => escapePlotlyText(s));
      }
      trace.colorbar = cb;
    }
    data.push(trace);
  });
  layout.annotations = annotations;
  layout.shapes = shapes;
  return { data, layout };
}

/** Hover template over escaped row/column labels in customdata[0], customdata[1] and the value z. */
export function _simpleHover(rowName: string, colName: string, valueName = "value"): string {
  return `${escapePlotlyText(rowName)}: %{customdata[0]}<br>${escapePlotlyText(colName)}: %{customdata[1]}<br>${escapePlotlyText(valueName)}: %{z:.3f}<extra></extra>`;
}

/** customdata[r][c] = [escaped row label, escaped col label, ...extra(r, c)]. */
export function _cellData(
  rows: string[],
  cols: string[],
  extra?: (r: number, c: number) => unknown[],
): unknown[][][] {
  return rows.map((rl, r) => cols.map((cl, c) => (extra ? [rl, cl, ...extra(r, c)] : [rl, cl])));
}
