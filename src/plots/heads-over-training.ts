/**
 * Every head's attention map at checkpoints of training, in one figure with a slider: moving it swaps each
 * head's z (and the title, and the marker on the curves) with plotly's "update" method. No plotly frames and
 * no JavaScript of ours: it works in JupyterLab's plotly renderer, in untrusted notebooks and in the offline
 * handouts (the slider is plain layout JSON, drawn by plotly.js itself).
 */
import { Matrix } from "../math/trace";
import { Figure, THEME, headColor } from "./theme";
import { _GridOptions, _Panel } from "./_panel-types";
import { _panelFigure } from "./_panels";
import { _wrapTitle, escapePlotlyText } from "./escape";
import { TokenOptions, _ATTENTION_WEIGHTS_SPEC, _cellData, _checkHead, _describe, _finite, _fmt, _headLabel, _labels, _tokens } from "./_shared";
import { _GRID_OPTIONS, _TOKEN_OPTIONS, _checkOptions, _checkSizeCap } from "./_validate";

/** One checkpoint: the step and every head's (L, S) attention weights (weights[0] is head 1). */
export interface HeadsSnapshot {
  step: number;
  /** (h, L, S) */ weights: Matrix[];
}

/** One curve drawn under the heads (loss, accuracy …) with a marker that follows the slider. */
export interface TrainingCurve {
  /** legend name (raw text) */ name: string;
  /** (n,) training steps */ x: number[];
  /** (n,) one value per step; non-finite values leave a gap */ values: number[];
  /** draw dashed (e.g. validation) */ dash?: boolean;
  /** colour of series `colorIndex` (HEAD_COLORS), default the curve's index */ colorIndex?: number;
  /** on a second y axis on the right (e.g. accuracy next to loss) */ right?: boolean;
}

/** Options of plotHeadsOverTraining. */
export interface PlotHeadsOverTrainingOptions extends TokenOptions, _GridOptions {
  /** which heads to draw (0-based indices: 0 is head 1), default all */ heads?: number[];
  /** curves drawn under the heads (e.g. training loss, validation accuracy), each with a marker at the slider's step */
  curves?: TrainingCurve[];
  /** left and right y-axis titles of the curves (default "loss", "accuracy") */ yTitle?: string;
  yTitleRight?: string;
  /** the snapshot shown first (0-based index into snapshots), default the last */ active?: number;
  /** a fixed, labelled dashed line on the curves at one step (e.g. where the loss fell fastest); needs curves */
  markStep?: { step: number; label: string };
}

const _CURVES_PX = 190; // plot height of the curves chart
const _CURVES_AXIS_PX = 56; // its x tick labels and title
const _SLIDER_PX = 92; // the slider under everything
const _MIN_CURVES_W = 560;
/** px under the heatmap grid for the curves: a gap, the legend row, the chart and its x axis */
const _CURVES_RESERVE_PX = THEME.gapPx + 24 + _CURVES_PX + _CURVES_AXIS_PX;
const _ROUND = 1e4; // z is written with 4 decimals: enough for a colour and the hover's 3, and 4× less JSON

/**
 * Every head's attention map at each training checkpoint in one figure: a slider steps through the checkpoints
 * (restyling every head's z and the title), optionally above the loss/accuracy curves with a marker at the step.
 *
 * frame_j = { head_i: A_i(step_j) (L, S) for each head i }; slider step j: update(z ← frame_j, title ← step_j)
 * @param snapshots (n,) checkpoints { step, weights (h, L, S) }, e.g. train(...).snapshots
 * @param opts heads (0-based), token labels, curves [{ name, x, values, right? }], active, grid options
 * @example plotHeadsOverTraining([{ step: 0, weights: [[[1, 0], [0.5, 0.5]]] }, { step: 10, weights: [[[0, 1], [1, 0]]] }]).layout.sliders[0].steps.length // returns 2
 * @example plotHeadsOverTraining([{ step: 0, weights: [[[1]]] }], { heads: [1] }) // throws "plotHeadsOverTraining: head index 1 does not exist"
 */
export function plotHeadsOverTraining(snapshots: HeadsSnapshot[], opts: PlotHeadsOverTrainingOptions = {}): Figure {
  const fn = "plotHeadsOverTraining";
  _checkOptions(fn, opts, _TRAINING_OPTIONS);
  if (!Array.isArray(snapshots) || snapshots.length === 0) {
    throw new Error(`${fn}: snapshots must be a non-empty array of { step, weights } (e.g. train(...).snapshots), got ${_describe(snapshots)}`);
  }
  const first = snapshots[0];
  if (!first || !Array.isArray(first.weights) || first.weights.length === 0) {
    throw new Error(`${fn}: snapshot 0 has no weights; expected { step, weights: (h, L, S) attention maps }`);
  }
  const numHeads = first.weights.length;
  const L = Array.isArray(first.weights[0]) ? first.weights[0].length : 0;
  const S = L > 0 && Array.isArray(first.weights[0][0]) ? first.weights[0][0].length : 0;
  if (L === 0 || S === 0) throw new Error(`${fn}: snapshot 0's head 1 (weights[0]) is empty; expected an (L, S) attention map`);
  snapshots.forEach((s, j) => {
    if (!s || typeof s.step !== "number" || !Number.isFinite(s.step)) {
      throw new Error(`${fn}: snapshot ${j} has step ${_describe(s?.step)}; expected a finite number`);
    }
    if (!Array.isArray(s.weights) || s.weights.length !== numHeads) {
      throw new Error(`${fn}: snapshot ${j} (step ${s.step}) has ${Array.isArray(s.weights) ? s.weights.length : "no"} heads but snapshot 0 has ${numHeads}`);
    }
    s.weights.forEach((w, i) => {
      const ok = Array.isArray(w) && w.length === L && w.every((row) => Array.isArray(row) && row.length === S);
      if (!ok) throw new Error(`${fn}: snapshot ${j} (step ${s.step}), weights[${i}] (head ${i + 1}) is not ${L}×${S} like snapshot 0's maps`);
    });
  });
  const heads = opts.heads ?? Array.from({ length: numHeads }, (_, i) => i);
  for (const h of heads) _checkHead(fn, numHeads, h, "heads");
  _checkSizeCap(fn, snapshots.length * heads.length * L * S, `${snapshots.length} snapshots × ${heads.length} heads × ${L}×${S}`, "pass fewer snapshots (e.g. every 5th), fewer heads (heads: [0, 1]), or a shorter probe");
  const curves = opts.curves ?? [];
  curves.forEach((c, i) => {
    if (!c || !Array.isArray(c.x) || !Array.isArray(c.values) || c.x.length !== c.values.length) {
      throw new Error(`${fn}: curves[${i}] ("${c?.name}") needs x and values of the same length, got ${_describe(c?.x)} and ${_describe(c?.values)}`);
    }
  });
  const mark = opts.markStep;
  if (mark !== undefined && (typeof mark.step !== "number" || !Number.isFinite(mark.step) || typeof mark.label !== "string")) {
    throw new Error(`${fn}: markStep must be { step: a finite number, label: a string }, got step ${_describe(mark.step)} and label ${_describe(mark.label)}`);
  }
  if (mark !== undefined && curves.length === 0) throw new Error(`${fn}: markStep marks a step on the curves; pass curves too`);
  const active = opts.active ?? snapshots.length - 1;
  if (!Number.isInteger(active) || active < 0 || active >= snapshots.length) {
    throw new Error(`${fn}: active is ${String(active)} but there are ${snapshots.length} snapshots (indices 0 … ${snapshots.length - 1})`);
  }

  const { q, k } = _tokens(opts, L, S);
  const qLab = _labels(q, L);
  const kLab = _labels(k, S);
  const round = (z: Matrix) => _finite(z).map((row) => row.map((v) => (v === null ? null : Math.round(v * _ROUND) / _ROUND)));
  const panels: _Panel[] = heads.map((h) => ({
    z: round(snapshots[active].weights[h]) as number[][],
    rows: { labels: q ?? qLab, title: "query" },
    cols: { labels: k ?? kLab, title: "key" },
    title: _headLabel(h),
    scale: _ATTENTION_WEIGHTS_SPEC,
    customdata: _cellData(qLab, kLab),
    hovertemplate: `query: %{customdata[0]}<br>key: %{customdata[1]}<br>weight: %{z:.3f}<extra>${_headLabel(h)}</extra>`,
  }));
  const baseTitle = opts.title ?? "attention of every head during training";
  const titleAt = (j: number) => `${baseTitle}: step ${snapshots[j].step}${_curveText(curves, snapshots[j].step)}`;
  const wrapped = (j: number) => _wrapTitle(titleAt(j), THEME.maxWidth - 24, THEME.figureTitleSize);
  // the grid is laid out with the title of most lines, so the title fits whichever step is shown
  const longest = snapshots.reduce((b, _, j) => (wrapped(j).lines > wrapped(b).lines || (wrapped(j).lines === wrapped(b).lines && wrapped(j).width > wrapped(b).width) ? j : b), 0);
  // the layout engine reserves the curves chart's room under the grid up front (no rescaling of a finished figure)
  const reserveBelow = curves.length > 0 ? { heightPx: _CURVES_RESERVE_PX, minWidthPx: _MIN_CURVES_W } : undefined;
  const fig = _panelFigure(panels, { ...opts, title: titleAt(longest), sharedRowLabels: true, reserveBelow });
  const layout = fig.layout as Record<string, any>;
  const traceIdx = heads.map((_, i) => i);
  layout.title.text = wrapped(active).text;

  const marker = curves.length > 0 ? _addCurves(fig, curves, heads.length + 1, snapshots[active].step, opts) : undefined;
  _growBottom(fig, _SLIDER_PX);

  const every = Math.max(1, Math.ceil(snapshots.length / 10)); // at most ~10 labels under the slider
  layout.sliders = [
    {
      active,
      steps: snapshots.map((s, j) => {
        const layoutUpdate: Record<string, unknown> = { "title.text": wrapped(j).text };
        if (marker) Object.assign(layoutUpdate, _markerUpdate(curves, s.step, marker));
        return {
          method: "update",
          label: j % every === 0 || j === snapshots.length - 1 ? String(s.step) : "",
          args: [{ z: heads.map((h) => round(s.weights[h])) }, layoutUpdate, traceIdx],
        };
      }),
      x: 0,
      len: 1,
      xanchor: "left",
      y: 0,
      yanchor: "top",
      pad: { t: marker ? 8 : 36, b: 8 },
      currentvalue: { visible: false },
      font: { size: THEME.fontSize },
      ticklen: 4,
    },
  ];
  return fig;
}

const _TRAINING_OPTIONS = {
  ..._TOKEN_OPTIONS,
  ..._GRID_OPTIONS,
  heads: "indices",
  curves: "array",
  yTitle: "string",
  yTitleRight: "string",
  active: "index",
  markStep: "object",
} as const;

/** ", loss 0.123, accuracy 0.98": each curve's value at (or just before) `step`. */
function _curveText(curves: TrainingCurve[], step: number): string {
  return curves
    .map((c) => {
      const j = _at(c, step);
      return j < 0 || !Number.isFinite(c.values[j]) ? "" : `, ${c.name} ${_fmt(c.values[j], 3)}`;
    })
    .join("");
}

/** Index of the last point of `c` at or before `step` (−1 if none). */
function _at(c: TrainingCurve, step: number): number {
  let best = -1;
  for (let i = 0; i < c.x.length; i++) if (c.x[i] <= step && (best < 0 || c.x[i] >= c.x[best])) best = i;
  return best;
}

/** Make the plot area `px` taller at the bottom (for the slider), keeping every pixel position above. */
function _growBottom(fig: Figure, px: number): void {
  const l = fig.layout as Record<string, any>;
  l.margin = { ...l.margin, b: l.margin.b + px };
  l.height = Math.round(l.height + px);
}

/**
 * Draw the curves as an x–y chart (axes number k, and k + 1 for the right axis) in the room the layout engine
 * reserved under the heatmap grid (_PanelFigureOptions.reserveBelow). A dotted vertical line and one marker
 * annotation per curve show the current step.
 */
function _addCurves(fig: Figure, curves: TrainingCurve[], k: number, step: number, opts: PlotHeadsOverTrainingOptions): _MarkerRefs {
  const l = fig.layout as Record<string, any>;
  const m = l.margin;
  const newW = l.width - m.l - m.r; // the plot area in px, reserved room included
  const newH = l.height - m.t - m.b;
  const top = (_CURVES_PX + _CURVES_AXIS_PX) / newH;
  const bottom = _CURVES_AXIS_PX / newH;
  const xName = `xaxis${k}`;
  const yName = `yaxis${k}`;
  const xRef = `x${k}`;
  const yRef = `y${k}`;
  const hasRight = curves.some((c) => c.right);
  const yRight = `yaxis${k + 1}`;
  const yRightRef = `y${k + 1}`;
  const xs = curves.flatMap((c) => c.x.filter(Number.isFinite));
  const xRange = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  const axisBase = { tickfont: { size: THEME.fontSize }, gridcolor: "#e5e5e5", zeroline: false, fixedrange: true, automargin: false, tickmode: "auto" };
  // the chart starts where the heatmaps do (after their row labels), leaving room for its own tick labels
  const left = Math.max(64 / newW, Math.min(...Object.entries(l).filter(([key]) => /^xaxis\d*$/.test(key)).map(([, ax]) => ax.domain[0])));
  l[xName] = {
    ...axisBase,
    domain: [left, hasRight ? 1 - 72 / newW : 1],
    anchor: yRef,
    range: [xRange[0], xRange[1] + (xRange[1] - xRange[0]) * 0.02 || 1],
    title: { text: "step", font: { size: THEME.fontSize }, standoff: 4 },
  };
  l[yName] = { ...axisBase, domain: [bottom, top], anchor: xRef, title: { text: escapePlotlyText(opts.yTitle ?? "loss"), font: { size: THEME.fontSize }, standoff: 4 } };
  const inUnit = (cs: TrainingCurve[]) => cs.length > 0 && cs.every((c) => c.values.every((v) => !Number.isFinite(v) || (v >= 0 && v <= 1)));
  if (inUnit(curves.filter((c) => !c.right))) l[yName].range = [0, 1.05];
  if (hasRight) {
    l[yRight] = {
      ...axisBase,
      ...(inUnit(curves.filter((c) => c.right)) ? { range: [0, 1.05] } : {}),
      domain: [bottom, top],
      anchor: xRef,
      overlaying: yRef,
      side: "right",
      showgrid: false,
      title: { text: escapePlotlyText(opts.yTitleRight ?? "accuracy"), font: { size: THEME.fontSize }, standoff: 4 },
    };
  }
  // the chart needs a white background of its own (the figure's grey shows through masked heatmap cells)
  l.shapes.push({ type: "rect", xref: `${xRef} domain`, yref: `${yRef} domain`, x0: 0, x1: 1, y0: 0, y1: 1, fillcolor: "#ffffff", line: { width: 0 }, layer: "below" });
  curves.forEach((c, i) => {
    const color = headColor(c.colorIndex ?? i);
    const name = escapePlotlyText(c.name);
    fig.data.push({
      type: "scatter",
      mode: "lines",
      name,
      x: c.x,
      y: c.values.map((v) => (Number.isFinite(v) ? v : null)),
      xaxis: xRef,
      yaxis: c.right ? yRightRef : yRef,
      line: { color, width: 2.5, dash: c.dash ? "dash" : "solid" },
      showlegend: true,
      hovertemplate: `${name}<br>step %{x}<br>%{y:.4g}<extra></extra>`,
    });
  });
  l.showlegend = true;
  // one legend row just above the chart, in the gap under the heatmaps' key labels
  l.legend = { orientation: "h", x: left, xanchor: "left", y: top, yanchor: "bottom", bgcolor: "rgba(255,255,255,0)", font: { size: THEME.fontSize } };
  // the step marker: a dotted vertical line and a dot on each curve, moved by every slider step
  const shape = l.shapes.length;
  l.shapes.push({ type: "line", xref: xRef, yref: `${yRef} domain`, x0: step, x1: step, y0: 0, y1: 1, line: { color: "#555555", width: 2, dash: "dot" } });
  const annotation = l.annotations.length;
  curves.forEach((c, i) => {
    l.annotations.push({
      xref: xRef,
      yref: c.right ? yRightRef : yRef,
      ..._marker(c, step),
      text: "●",
      showarrow: false,
      xanchor: "center",
      yanchor: "middle",
      font: { size: 18, color: headColor(c.colorIndex ?? i) },
    });
  });
  if (opts.markStep !== undefined) { // after the step marker's shape and annotations: their indices stay put
    const { step: at, label } = opts.markStep;
    l.shapes.push({ type: "line", xref: xRef, yref: `${yRef} domain`, x0: at, x1: at, y0: 0, y1: 1, line: { color: headColor(3), width: 2, dash: "dash" } });
    l.annotations.push({ x: at, y: 1, xref: xRef, yref: `${yRef} domain`, xanchor: "left", yanchor: "top", text: escapePlotlyText(label), showarrow: false, font: { size: THEME.fontSize, color: headColor(3) } });
  }
  return { shape, annotation };
}

/** Where the step marker lives in the layout: shapes[shape], annotations[annotation + curve index]. */
interface _MarkerRefs {
  shape: number;
  annotation: number;
}

/** Where curve c's dot sits at `step`: its last point at or before the step (hidden if none). */
function _marker(c: TrainingCurve, step: number): { x: number; y: number; visible: boolean } {
  const j = _at(c, step);
  const v = j >= 0 ? c.values[j] : NaN;
  return Number.isFinite(v) ? { x: c.x[j], y: v, visible: true } : { x: step, y: 0, visible: false };
}

/** The layout changes that move the step marker to `step`: "shapes[s].x0", "annotations[a].x" … */
function _markerUpdate(curves: TrainingCurve[], step: number, refs: _MarkerRefs): Record<string, unknown> {
  const u: Record<string, unknown> = { [`shapes[${refs.shape}].x0`]: step, [`shapes[${refs.shape}].x1`]: step };
  curves.forEach((c, i) => {
    const m = _marker(c, step);
    u[`annotations[${refs.annotation + i}].x`] = m.x;
    u[`annotations[${refs.annotation + i}].y`] = m.y;
    u[`annotations[${refs.annotation + i}].visible`] = m.visible;
  });
  return u;
}
