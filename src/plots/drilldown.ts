/**
 * One attention weight traced through its head, in four panels: the score as a sum over dimensions, the softmax row
 * it sits in, the value it weights, and the head's contribution to the layer's output. Pure: numbers in, JSON out.
 */
import { _baseLayout, Figure, headColor, THEME } from "./theme";
import { _wrapTitle } from "./escape";
import { _fmt, _headLabel } from "./_shared";
import { _positionLabels } from "./explorer";

/** What plotWeightDrilldown draws (src/minilm's weightDrilldown returns it). */
export interface DrilldownNumbers {
  head: number; query: number; key: number; dK: number;
  /** (dK,) */ products: number[];
  score: number; scaled: number;
  /** (S,) */ scaledRow: number[];
  /** (S,) */ weightsRow: number[];
  weight: number;
  /** (dV,) */ weightedValue: number[];
  /** (dV,) */ headOutput: number[];
  /** (dModel,) */ contribution: number[];
  /** (dModel,) */ keyContribution: number[];
  /** (dModel,) */ output: number[];
}

/** Options of plotWeightDrilldown. */
export interface PlotWeightDrilldownOptions {
  /** (S,) tokens (self-attention) */ tokens: string[];
  /** e.g. "layer 0": put in the title */ layerLabel?: string;
  /** figure title (raw text); default names the weight */ title?: string;
}

/**
 * Four panels for weight a_ij of one head:
 *   (1) s_ij = Σ_d q_id·k_jd, one bar per dimension   (2) a_i = softmax(s_i/√dK), key j highlighted
 *   (3) o_i = Σ_j a_ij v_j and the part a_ij·v_j       (4) o_i·W^O_h (the head's contribution) vs the layer's output row
 * @param d the numbers (weightDrilldown(trace, wO, head, i, j))
 * @param opts tokens (S,), layerLabel, title
 * @example (illustrative) show(plotWeightDrilldown(weightDrilldown(enc.traces[0], wO, 2, 4, 3), { tokens: enc.tokens }))
 */
export function plotWeightDrilldown(d: DrilldownNumbers, opts: PlotWeightDrilldownOptions): Figure {
  const fn = "plotWeightDrilldown";
  if (d == null || !Array.isArray(d.weightsRow)) throw new Error(`${fn}: expected the result of weightDrilldown(...)`);
  if (opts == null || !Array.isArray(opts.tokens) || opts.tokens.length !== d.weightsRow.length) {
    throw new Error(`${fn}: opts.tokens has ${opts?.tokens?.length ?? "no"} tokens but the softmax row has ${d.weightsRow.length} keys`);
  }
  const labels = _positionLabels(opts.tokens);
  const qi = labels[d.query];
  const kj = labels[d.key];
  const col = headColor(d.head);
  const dims = (n: number) => Array.from({ length: n }, (_, i) => i);
  const who = `${opts.layerLabel ? opts.layerLabel + ", " : ""}${_headLabel(d.head)}`; // raw: _wrapTitle escapes
  const title = _wrapTitle(opts.title ?? `one weight, step by step: ${who}, query ${opts.tokens[d.query]} → key ${opts.tokens[d.key]}`, THEME.maxWidth - 40, THEME.figureTitleSize);
  const grey = "#9e9e9e";
  const data: Array<Record<string, unknown>> = [
    { type: "bar", x: dims(d.products.length), y: d.products, marker: { color: col }, xaxis: "x", yaxis: "y",
      hovertemplate: "dimension %{x}: q·k term %{y:.4f}<extra></extra>" },
    { type: "bar", x: labels, y: d.weightsRow, xaxis: "x2", yaxis: "y2",
      marker: { color: d.weightsRow.map((_, j) => (j === d.key ? col : grey)) },
      customdata: d.scaledRow.map((t) => _fmt(t, 3)),
      hovertemplate: "key %{x}<br>scaled score %{customdata}<br>weight %{y:.4f}<extra></extra>" },
    { type: "bar", name: "o_i (all keys)", x: dims(d.headOutput.length), y: d.headOutput, marker: { color: grey }, xaxis: "x3", yaxis: "y3",
      hovertemplate: "dimension %{x}: o_i %{y:.4f}<extra></extra>" },
    { type: "bar", name: `a_ij·v_j (key ${kj})`, x: dims(d.weightedValue.length), y: d.weightedValue, marker: { color: col }, xaxis: "x3", yaxis: "y3",
      hovertemplate: "dimension %{x}: a·v_j %{y:.4f}<extra></extra>" },
    { type: "scatter", mode: "lines", name: "layer output row i", x: dims(d.output.length), y: d.output, line: { color: grey, width: 1 }, xaxis: "x4", yaxis: "y4",
      hovertemplate: "dim %{x}: output %{y:.3f}<extra></extra>" },
    { type: "scatter", mode: "lines", name: "this head's contribution", x: dims(d.contribution.length), y: d.contribution, line: { color: col, width: 1.5 }, xaxis: "x4", yaxis: "y4",
      hovertemplate: "dim %{x}: head %{y:.3f}<extra></extra>" },
  ];
  const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  const sub = (text: string, x: number, y: number) => ({ text, x, y, xref: "paper", yref: "paper", xanchor: "left", yanchor: "bottom", showarrow: false, font: { size: THEME.fontSize } });
  const top = 40 + title.lines * 24;
  const layout: Record<string, unknown> = {
    ..._baseLayout(),
    plot_bgcolor: "#ffffff",
    barmode: "overlay",
    title: { text: title.text, font: { size: THEME.figureTitleSize }, x: 0.02, xanchor: "left" },
    width: THEME.maxWidth,
    height: top + 700,
    margin: { l: 60, r: 20, t: top + 30, b: 90 },
    xaxis: { domain: [0, 0.44], anchor: "y", title: { text: "dimension d of q, k" } },
    yaxis: { domain: [0.64, 1], anchor: "x", title: { text: "q_d·k_d" } },
    xaxis2: { domain: [0.56, 1], anchor: "y2", type: "category", tickangle: -60 },
    yaxis2: { domain: [0.64, 1], anchor: "x2", range: [0, 1], title: { text: "weight" } },
    xaxis3: { domain: [0, 0.44], anchor: "y3", title: { text: "dimension of v" } },
    yaxis3: { domain: [0, 0.32], anchor: "x3" },
    xaxis4: { domain: [0.56, 1], anchor: "y4", title: { text: "output dimension" } },
    yaxis4: { domain: [0, 0.32], anchor: "x4" },
    annotations: [
      sub(`(1) score q·k = ${_fmt(d.score, 3)}, ÷√${d.dK} = ${_fmt(d.scaled, 3)}`, 0, 1.01),
      sub(`(2) softmax row of query ${qi}: a = ${_fmt(d.weight, 3)}`, 0.56, 1.01),
      sub(`(3) o_i (grey), its part a·v_j from ${kj} (colour)`, 0, 0.33),
      sub(`(4) o_i·W^O_h, norm ${_fmt(norm(d.contribution), 2)}; output row (grey) ${_fmt(norm(d.output), 2)}`, 0.56, 0.33),
    ],
  };
  return { data, layout: layout as Figure["layout"] };
}
