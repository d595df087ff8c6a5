/**
 * The "line view" of bertviz, as a plain plotly figure: queries in a column on the left, keys on the right, a line
 * from query i to key j for each head, its opacity the weight a_ij, its colour the head's. Offline and saveable.
 *
 * Lines are grouped by head and by opacity (ten steps of 0.1), so a figure has at most heads × 10 line traces
 * however long the sentence. Click a head in the legend to hide it (plotly's own legend toggling). A dropdown picks
 * one query (its lines only) or all; each button restyles the line traces' x and y. For long sentences keep the
 * `topK` heaviest keys per query and head (default 3) and drop weights under `minWeight`.
 */
import type { Matrix } from "../math/trace";
import { _baseLayout, Figure, headColor, THEME } from "./theme";
import { _labelWidth, _wrapTitle } from "./escape";
import { _headLabel } from "./_shared";
import { _positionLabels } from "./explorer";

/** Options of plotAttentionLines. */
export interface PlotAttentionLinesOptions {
  /** (L,) tokens (self-attention: the same on both sides) */ tokens: string[];
  /** heads to draw, 0-based (default all) */ heads?: number[];
  /** the query selected first: a 0-based position, or null for all queries (default null) */ query?: number | null;
  /** keep at most this many keys per query and head, the heaviest (default 3; Infinity keeps all) */ topK?: number;
  /** drop lines lighter than this (default 0.02) */ minWeight?: number;
  /** figure title (raw text) */ title?: string;
}

/** One line: head, query, key, weight. */
interface _Line { h: number; i: number; j: number; w: number }

/**
 * Lines from each query to the keys it attends to, one colour per head, opacity = weight.
 *
 * line (h, i → j) drawn when a^h_ij ≥ minWeight and j is among the topK largest a^h_i·; opacity = ⌈10·a^h_ij⌉ / 10
 * @param weights (heads, L, L) one layer's attention weights, e.g. `enc.attentions[3]`
 * @param opts tokens (L,), heads, query, topK, minWeight, title
 * @return a Figure: line traces (head × opacity step), two token columns, a query dropdown
 * @example (illustrative) show(plotAttentionLines(enc.attentions[0], { tokens: enc.tokens, heads: [2, 7], query: 4 }))
 */
export function plotAttentionLines(weights: Matrix[], opts: PlotAttentionLinesOptions): Figure {
  const fn = "plotAttentionLines";
  if (!Array.isArray(weights) || weights.length === 0) throw new Error(`${fn}: weights must be (heads, L, L) with at least one head`);
  if (opts == null || !Array.isArray(opts.tokens)) throw new Error(`${fn}: opts.tokens (the L tokens) is required`);
  const L = opts.tokens.length;
  weights.forEach((w, h) => {
    if (!Array.isArray(w) || w.length !== L || w.some((r) => !Array.isArray(r) || r.length !== L)) {
      throw new Error(`${fn}: weights[${h}] is not (${L}, ${L}) but tokens has ${L} entries`);
    }
  });
  const heads = opts.heads ?? weights.map((_, h) => h);
  heads.forEach((h) => {
    if (!Number.isInteger(h) || h < 0 || h >= weights.length) {
      throw new Error(`${fn}: head index ${h} does not exist; indices 0 … ${weights.length - 1} (charted as head 1 … head ${weights.length})`);
    }
  });
  const query = opts.query ?? null;
  if (query !== null && (!Number.isInteger(query) || query < 0 || query >= L)) throw new Error(`${fn}: query ${query} is not a position 0 … ${L - 1}`);
  const topK = opts.topK ?? 3;
  const minWeight = opts.minWeight ?? 0.02;
  if (!(topK >= 1)) throw new Error(`${fn}: topK must be ≥ 1, got ${topK}`);

  // 1) the lines to draw
  const lines: _Line[] = [];
  for (const h of heads) {
    for (let i = 0; i < L; i++) {
      const row = weights[h][i];
      const order = row.map((_, j) => j).sort((a, b) => row[b] - row[a]).slice(0, Math.min(L, topK));
      for (const j of order) if (row[j] >= minWeight) lines.push({ h, i, j, w: row[j] });
    }
  }
  const step = (w: number) => Math.min(10, Math.max(1, Math.ceil(w * 10 - 1e-9))); // opacity step 1 … 10

  // 2) one trace per (head, opacity step), x/y for "all queries" and for each query
  const xL = 0.08;
  const xR = 0.92;
  const groups: { h: number; s: number }[] = [];
  for (const h of heads) for (let s = 1; s <= 10; s++) groups.push({ h, s });
  const labels = _positionLabels(opts.tokens);
  const coords = (keep: (ln: _Line) => boolean) =>
    groups.map(({ h, s }) => {
      const x: (number | null)[] = [];
      const y: (number | null)[] = [];
      const text: (string | null)[] = [];
      for (const ln of lines) {
        if (ln.h !== h || step(ln.w) !== s || !keep(ln)) continue;
        const t = `${_headLabel(h)}: ${labels[ln.i]} → ${labels[ln.j]}, weight ${ln.w.toFixed(3)}`;
        x.push(xL, xR, null);
        y.push(-ln.i, -ln.j, null);
        text.push(t, t, null);
      }
      return { x, y, text };
    });
  const initial = coords((ln) => query === null || ln.i === query);
  const data: Array<Record<string, unknown>> = groups.map(({ h, s }, g) => ({
    type: "scatter",
    mode: "lines",
    x: initial[g].x,
    y: initial[g].y,
    text: initial[g].text,
    hoverinfo: "text",
    line: { color: headColor(h), width: 2 },
    opacity: s / 10,
    name: _headLabel(h),
    legendgroup: `head${h}`,
    showlegend: false,
  }));
  // one legend entry per head, on an empty trace of the head's group (clicking it hides all the head's lines)
  heads.forEach((h) => {
    data.push({
      type: "scatter", mode: "lines", x: [null], y: [null], line: { color: headColor(h), width: 3 },
      name: _headLabel(h), legendgroup: `head${h}`, showlegend: true, hoverinfo: "skip",
    });
  });
  const textTrace = (x: number, anchor: string) => ({
    type: "scatter", mode: "text", x: labels.map(() => x), y: labels.map((_, i) => -i), text: labels,
    textposition: anchor, hoverinfo: "skip", showlegend: false, textfont: { size: THEME.fontSize },
  });
  data.push(textTrace(xL - 0.01, "middle left"), textTrace(xR + 0.01, "middle right"));

  const lineIdx = groups.map((_, g) => g);
  const buttons = [{ label: "all queries", q: null as number | null }, ...labels.map((lab, i) => ({ label: lab, q: i as number | null }))].map(({ label, q }) => {
    const c = q === null ? coords(() => true) : coords((ln) => ln.i === q);
    return { label, method: "restyle", args: [{ x: c.map((t) => t.x), y: c.map((t) => t.y), text: c.map((t) => t.text) }, lineIdx] };
  });

  const fs = THEME.fontSize;
  const colPx = Math.ceil(1.15 * _labelWidth(opts.tokens.map((t, i) => `${i} ${t}`), THEME.maxLabelChars + 4, fs)) + 16;
  const rowPx = Math.max(THEME.minTokenPx, Math.min(28, Math.floor(900 / L)));
  const title = _wrapTitle(opts.title ?? "attention lines: query (left) → key (right), opacity = weight", THEME.maxWidth - 40, THEME.figureTitleSize);
  const top = 40 + title.lines * 24 + 50;
  const width = Math.min(THEME.maxWidth, 2 * colPx + 420 + 140);
  const layout: Record<string, unknown> = {
    ..._baseLayout(),
    plot_bgcolor: "#ffffff",
    showlegend: true,
    legend: { x: 1, xanchor: "left", y: 1, title: { text: "head (click to hide)" } },
    title: { text: title.text, font: { size: THEME.figureTitleSize }, x: 0.02, xanchor: "left" },
    width,
    height: top + rowPx * L + 40,
    margin: { l: 10, r: 140, t: top, b: 30 },
    xaxis: { range: [xL - 0.01 - (colPx + 10) / (width - 150), xR + 0.01 + (colPx + 10) / (width - 150)], visible: false, fixedrange: true },
    yaxis: { range: [-L + 0.5, 0.5], visible: false, fixedrange: true },
    annotations: [
      { x: xL, y: 1, xref: "x", yref: "paper", yanchor: "bottom", text: "query", showarrow: false, font: { size: THEME.titleSize } },
      { x: xR, y: 1, xref: "x", yref: "paper", yanchor: "bottom", text: "key", showarrow: false, font: { size: THEME.titleSize } },
    ],
    updatemenus: [{
      type: "dropdown", x: 0, xanchor: "left", y: 1, yanchor: "bottom", pad: { b: 24 },
      active: query === null ? 0 : query + 1, showactive: true, buttons,
    }],
  };
  return { data, layout: layout as Figure["layout"] };
}
