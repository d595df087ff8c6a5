/**
 * Bar charts: one series or grouped series (seeds, models) with error bars and a reference line, on the shared x–y
 * layout (_xy.ts).
 */
import { Figure, HEAD_COLORS, THEME, headColor } from "./theme";
import { escapePlotlyText, _axisLabel } from "./escape";
import { _describe } from "./_shared";
import { _checkOptions } from "./_validate";
import { _xyLayout } from "./_xy";

/** One group member of a grouped bar chart (e.g. one seed, or one model), drawn in its own colour. */
export interface BarSeries {
  /** legend name (raw text) */ name: string;
  /** (n,) one value per label */ values: number[];
  /** (n,) ± error bar half-widths, e.g. the standard deviation over seeds */ errors?: number[];
  /** CSS colour, default HEAD_COLORS[series index] */ color?: string;
}

/** Options of plotBars. */
export interface PlotBarsOptions {
  title?: string;
  xTitle?: string;
  yTitle?: string;
  /** fixed y range [min, max], e.g. to zoom on quoted results */ yRange?: [number, number];
  /** (n,) ± error bar half-widths (one series) */ errors?: number[];
  /** (n,) one CSS colour per bar (one series), e.g. labels.map((_, i) => headColor(i)) */ colors?: string[];
  /** a dashed horizontal line, e.g. the accuracy with every head kept */ referenceLine?: { y: number; label?: string };
  /** write each value above its bar (default: when there are no error bars) */ showValues?: boolean;
}

const _BARS_OPTIONS = {
  title: "string", xTitle: "string", yTitle: "string", yRange: "range", errors: "numbers", colors: "strings",
  referenceLine: "object", showValues: "boolean",
} as const;

/**
 * A bar chart of one value per label (timings, FLOP counts, quoted results, the loss after ablating each head),
 * in the course theme; or grouped bars, one colour per series (e.g. one per seed), with optional error bars.
 *
 * bar_i = values[i] at label_i (± errors[i]); grouped: bar_{j,i} = series[j].values[i]
 * @param labels (n,) raw text, drawn as categories in order
 * @param values (n,) numbers, or series [{ name, values (n,), errors? }] for grouped bars
 * @param opts title, xTitle, yTitle, yRange, errors, colors, referenceLine, showValues
 * @example plotBars(["dot", "additive"], [1.2, 3.4], { yTitle: "ms" }).data.length // returns 1
 * @example plotBars(["head 1", "head 2"], [{ name: "seed 1", values: [0.9, 0.1] }, { name: "seed 2", values: [0.2, 0.8] }]).layout.barmode // returns "group"
 */
export function plotBars(labels: string[], values: number[] | BarSeries[], opts: PlotBarsOptions = {}): Figure {
  const fn = "plotBars";
  _checkOptions(fn, opts, _BARS_OPTIONS);
  if (!Array.isArray(labels) || !labels.every((s) => typeof s === "string")) {
    throw new Error(`${fn}: labels must be an array of strings, got ${_describe(labels)}`);
  }
  if (!Array.isArray(values)) throw new Error(`${fn}: values must be an array of numbers or of { name, values } series, got ${_describe(values)}`);
  const grouped = values.length > 0 && typeof values[0] === "object" && values[0] !== null;
  const series: BarSeries[] = grouped
    ? (values as BarSeries[])
    : [{ name: "", values: values as number[], errors: opts.errors }];
  series.forEach((s, j) => {
    const what = grouped ? `series ${j} ("${s?.name}")` : "values";
    if (!s || !Array.isArray(s.values)) throw new Error(`${fn}: ${what} must have values, an array of numbers, got ${_describe(s?.values)}`);
    if (s.values.length !== labels.length) {
      throw new Error(`${fn}: labels has ${labels.length} entries but ${grouped ? what + " has" : "values has"} ${s.values.length}`);
    }
    s.values.forEach((v, i) => {
      if (typeof v !== "number") throw new Error(`${fn}: ${grouped ? what + " value" : "values"}[${i}] is ${_describe(v)}, expected a number`);
    });
    if (s.errors !== undefined && (!Array.isArray(s.errors) || s.errors.length !== labels.length)) {
      throw new Error(`${fn}: ${grouped ? what + " errors" : "errors"} has ${Array.isArray(s.errors) ? s.errors.length : "no"} entries but labels has ${labels.length}`);
    }
  });
  if (opts.colors && opts.colors.length !== labels.length) {
    throw new Error(`${fn}: colors has ${opts.colors.length} entries but labels has ${labels.length}`);
  }
  const ref = opts.referenceLine;
  if (ref !== undefined && !(typeof ref.y === "number" && Number.isFinite(ref.y))) {
    throw new Error(`${fn}: referenceLine.y must be a finite number, got ${_describe(ref.y)}`);
  }
  // numeric x with tick labels, so equal labels stay separate bars and labels stay text
  const layout = _xyLayout({ ...opts, legend: grouped });
  (layout.xaxis as Record<string, unknown>) = {
    ...(layout.xaxis as Record<string, unknown>),
    tickmode: "array",
    tickvals: labels.map((_, i) => i),
    ticktext: labels.map((s) => _axisLabel(s, 32)),
    range: [-0.5, labels.length - 0.5],
    showgrid: false,
  };
  if (grouped) {
    layout.barmode = "group";
    // the legend in one row above the bars, where it cannot cover the first group
    layout.legend = { ...(layout.legend as Record<string, unknown>), orientation: "h", x: 0, xanchor: "left", y: 1.02, yanchor: "bottom", bgcolor: "rgba(255,255,255,0)" };
  }
  const fmt = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(4)).toLocaleString("en-US") : "");
  const data = series.map((s, j) => {
    const name = escapePlotlyText(s.name);
    const trace: Record<string, unknown> = {
      type: "bar",
      x: labels.map((_, i) => i),
      y: s.values.map((v) => (Number.isFinite(v) ? v : null)),
      marker: { color: grouped ? (s.color ?? headColor(j)) : (opts.colors ?? labels.map((_, i) => HEAD_COLORS[i % HEAD_COLORS.length])) },
      customdata: labels.map((l) => escapePlotlyText(l)),
      hovertemplate: grouped ? `${name}<br>%{customdata}: %{y}<extra></extra>` : "%{customdata}: %{y}<extra></extra>",
    };
    if (grouped) trace.name = name;
    // values written above bars would sit on top of error bars: by default only without them
    if (opts.showValues ?? !series.some((t) => t.errors)) {
      Object.assign(trace, { text: s.values.map(fmt), textposition: "outside", textfont: { size: THEME.fontSize }, cliponaxis: false });
    }
    if (s.errors) trace.error_y = { type: "data", array: s.errors.map((e) => (Number.isFinite(e) ? e : 0)), visible: true, color: "#444444", thickness: 2, width: 6 };
    return trace;
  });
  if (ref) {
    layout.shapes = [{ type: "line", xref: "paper", yref: "y", x0: 0, x1: 1, y0: ref.y, y1: ref.y, line: { color: "#555555", width: 2, dash: "dash" } }];
    if (ref.label !== undefined) {
      layout.annotations = [{ xref: "paper", yref: "y", x: 1, y: ref.y, xanchor: "right", yanchor: "bottom", text: escapePlotlyText(ref.label), showarrow: false, font: { size: THEME.fontSize, color: "#555555" } }];
    }
  }
  return { data, layout };
}
