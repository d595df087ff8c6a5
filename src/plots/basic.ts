import { Figure, HEAD_COLORS, THEME, _baseLayout, headColor } from "./theme";
import { escapePlotlyText, _axisLabel, _labelWidth, _wrapTitle } from "./escape";
import { _describe } from "./_shared";
import { _checkOptions } from "./_validate";

/**
 * Ticks of a log axis that stay at full font size: the x values themselves when there are few,
 * else powers of 10 (wide ranges) or powers of 2 (narrow ranges). Plotly's own log ticks add small
 * "2 5" minor labels that are unreadable on a projector.
 */
function _logTicks(values: number[] | undefined, useValues: boolean): Record<string, unknown> {
  const v = (values ?? []).filter((x) => Number.isFinite(x) && x > 0);
  if (v.length === 0) return {};
  const uniq = [...new Set(v)].sort((a, b) => a - b);
  if (useValues && uniq.length <= 12) return { tickmode: "array", tickvals: uniq, ticktext: uniq.map((x) => String(x)) };
  const decades = Math.log10(uniq[uniq.length - 1] / uniq[0]);
  return { tickmode: "linear", tick0: 0, dtick: decades >= 2 ? 1 : Math.log10(2) };
}

/** The axis options every x–y chart takes (titles raw text). */
export interface XYOptions {
  title?: string;
  xTitle?: string;
  yTitle?: string;
  logX?: boolean;
  logY?: boolean;
  /** fixed y range [min, max] */ yRange?: [number, number];
}

/** Layout of a single x–y chart in the theme (white background, light grid, 14 px text). */
export function _xyLayout(o: XYOptions & {
  legend?: boolean;
  /** the data's x and y values, to place log ticks */ xValues?: number[];
  yValues?: number[];
}): Figure["layout"] {
  const yaxis: Record<string, unknown> = {
    type: o.logY ? "log" : "linear",
    title: { text: escapePlotlyText(o.yTitle ?? "") },
    tickfont: { size: THEME.fontSize },
    gridcolor: "#e5e5e5",
    exponentformat: "SI",
    automargin: true,
    ...(o.logY ? _logTicks(o.yValues, false) : {}),
  };
  if (o.yRange) yaxis.range = o.logY ? o.yRange.map(Math.log10) : o.yRange;
  const title = _wrapTitle(o.title ?? "", THEME.maxWidth - 40, THEME.figureTitleSize);
  return {
    ..._baseLayout(),
    plot_bgcolor: "#ffffff",
    showlegend: o.legend ?? false,
    legend: { x: 0.02, y: 0.98, bgcolor: "rgba(255,255,255,0.85)", font: { size: THEME.fontSize } },
    width: THEME.maxWidth,
    height: 500,
    margin: { l: 90, r: 30, t: 70 + 24 * (title.lines - 1), b: 80 },
    title: { text: title.text, font: { size: THEME.figureTitleSize }, x: 0.02, xanchor: "left" },
    xaxis: {
      type: o.logX ? "log" : "linear",
      title: { text: escapePlotlyText(o.xTitle ?? "") },
      tickfont: { size: THEME.fontSize },
      gridcolor: "#e5e5e5",
      automargin: true,
      ...(o.logX ? _logTicks(o.xValues, true) : {}),
    },
    yaxis,
  };
}

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

/** One line of plotLines. */
export interface LineSeries {
  /** legend name (raw text: `%{y}` or `<b>` in a name are drawn as typed) */ name: string;
  /** one value per x; NaN/±Infinity/null leave a gap */ values: number[];
  /** this series' own x values (default: the shared `x`), e.g. runs logged at different steps */ x?: number[];
  /** draw dashed (e.g. a reference or theory curve) */ dash?: boolean;
  /** CSS colour; default HEAD_COLORS[colorIndex ?? series index] */ color?: string;
  /** pick the colour of series/run `colorIndex`, so several series share one (train and validation of one run) */
  colorIndex?: number;
  /** a shaded band [lower, upper] around the line (one value per x each), e.g. min–max over seeds */
  band?: { lower: number[]; upper: number[] };
  /** a thin line without markers (e.g. one seed among many), left out of the legend unless `legend: true` */ thin?: boolean;
  /** show in the legend (default true, false for thin lines) */ legend?: boolean;
  /** legend group: clicking one entry toggles the whole group (e.g. every seed of one run) */ group?: string;
  /** markers on this line (default: the figure's `markers` option; never on thin lines) */ markers?: boolean;
}

/** Options of plotLines. */
export interface PlotLinesOptions extends XYOptions {
  /** the x variable's name in the hover, default "x" (e.g. "n", "step") */ xName?: string;
  /** d3 format of y values in the hover, default ".4g" (".4s" gives SI prefixes: 1.2M) */ yFormat?: string;
  /** draw markers on the lines (default: when the longest series has at most 60 points) */ markers?: boolean;
  /** a vertical line at this x (e.g. the current training step), labelled with `verticalLineLabel` */ verticalLine?: number;
  verticalLineLabel?: string;
  /** figure height in px (default 500) */ height?: number;
}

/**
 * Lines over x, in the course theme: one colour per series (or per `colorIndex`), dashed references,
 * optional shaded bands (e.g. the range over seeds) and thin lines (single seeds), gaps at non-finite values.
 *
 * series_j = (x_i, values_j[i]); band_j = the area between lower_j[i] and upper_j[i]
 * @param x (n,) x values shared by every series that has no `x` of its own
 * @param series each { name, values (n,), x?, dash?, color?, colorIndex?, band?, thin?, legend?, group? }
 * @param opts titles, log axes, hover names, markers, a vertical line
 * @example plotLines([1, 2], [{ name: "a", values: [3, 4] }]).data.length // returns 1
 * @example plotLines([1, 2], [{ name: "seeds", values: [3, 4], band: { lower: [2, 3], upper: [4, 5] } }]).data.length // returns 3
 */
export function plotLines(x: number[], series: LineSeries[], opts: PlotLinesOptions = {}): Figure {
  _checkOptions("plotLines", opts, _LINES_OPTIONS);
  return _lines("plotLines", x, series, opts, "x");
}

const _LINES_OPTIONS = {
  title: "string", xTitle: "string", yTitle: "string", logX: "boolean", logY: "boolean", yRange: "range",
  xName: "string", yFormat: "string", markers: "boolean", verticalLine: "number", verticalLineLabel: "string", height: "positiveNumber",
} as const;

/** plotLines under another builder's name (errors name `fn` and call the shared x `xArg`). */
export function _lines(fn: string, x: number[], series: LineSeries[], opts: PlotLinesOptions, xArg: string): Figure {
  if (!Array.isArray(series) || series.length === 0) {
    throw new Error(`${fn}: series must be a non-empty array of { name, values }, got ${_describe(series)}`);
  }
  if (!Array.isArray(x)) throw new Error(`${fn}: ${xArg} must be an array of numbers, got ${_describe(x)}`);
  const fin = (vs: number[]) => vs.map((v) => (typeof v === "number" && Number.isFinite(v) ? v : null));
  const xs = (s: LineSeries) => s.x ?? x;
  series.forEach((s, i) => {
    if (!s || typeof s !== "object" || !Array.isArray(s.values)) {
      throw new Error(`${fn}: series ${i} must be { name, values: number[] }, got ${_describe(s)}${s && typeof s === "object" ? ` with values ${_describe(s.values)}` : ""}`);
    }
    if (typeof s.name !== "string") throw new Error(`${fn}: series ${i} has name ${_describe(s.name)}, expected a string`);
    if (s.x !== undefined && !Array.isArray(s.x)) throw new Error(`${fn}: series ${i} ("${s.name}") has x ${_describe(s.x)}, expected an array of numbers`);
    const n = xs(s).length;
    const own = s.x ? "its x" : xArg;
    if (s.values.length !== n) {
      throw new Error(`${fn}: series ${i} ("${s.name}") has ${s.values.length} values but ${own} has ${n}`);
    }
    if (s.band && (s.band.lower.length !== n || s.band.upper.length !== n)) {
      throw new Error(`${fn}: series ${i} ("${s.name}") has a band of ${s.band.lower.length} lower and ${s.band.upper.length} upper values but ${own} has ${n}`);
    }
  });
  const longest = Math.max(...series.map((s) => xs(s).length));
  const markers = opts.markers ?? longest <= 60;
  const xName = escapePlotlyText(opts.xName ?? "x");
  const yFormat = opts.yFormat ?? ".4g";
  const data: Array<Record<string, unknown>> = [];
  series.forEach((s, i) => {
    // a dashed series without a colour of its own is a grey reference curve
    const color = s.color ?? (s.dash && s.colorIndex === undefined ? "#555555" : headColor(s.colorIndex ?? i));
    const name = escapePlotlyText(s.name);
    const group = s.group !== undefined ? { legendgroup: escapePlotlyText(s.group) } : {};
    if (s.band) {
      // the band: an invisible lower edge, then the upper edge filled down to it ("tonexty")
      const bx = xs(s);
      data.push({ type: "scatter", mode: "lines", x: bx, y: fin(s.band.lower), line: { width: 0, color }, showlegend: false, hoverinfo: "skip", ...group });
      data.push({
        type: "scatter", mode: "lines", x: bx, y: fin(s.band.upper), line: { width: 0, color }, fill: "tonexty",
        fillcolor: _alpha(color, 0.18), showlegend: false, hoverinfo: "skip", ...group,
      });
    }
    const thin = s.thin === true;
    const mk = (s.markers ?? markers) && !thin;
    data.push({
      type: "scatter",
      mode: mk ? "lines+markers" : "lines",
      name,
      x: xs(s),
      y: fin(s.values),
      line: { color, width: thin ? 1.5 : 3, dash: s.dash ? "dash" : "solid" },
      ...(mk ? { marker: { size: 8 } } : {}),
      ...(thin ? { opacity: 0.6 } : {}),
      showlegend: s.legend ?? !thin,
      ...group,
      hovertemplate: `${name}<br>${xName} = %{x}<br>${escapePlotlyText(opts.yTitle ?? "y")} = %{y:${yFormat}}<extra></extra>`,
    });
  });
  const layout = _xyLayout({
    ...opts,
    legend: true,
    xValues: series.flatMap(xs),
    yValues: series.flatMap((s) => [...s.values, ...(s.band ? [...s.band.lower, ...s.band.upper] : [])]),
  });
  if (opts.height !== undefined) layout.height = opts.height;
  // legend order as given (plotly reverses it when a trace fills to the next); many entries go outside, on the right
  const legendNames = series.filter((s) => s.legend ?? !s.thin).map((s) => s.name);
  (layout.legend as Record<string, unknown>).traceorder = series.some((s) => s.group !== undefined) ? "grouped" : "normal";
  if (legendNames.length > 3) {
    const w = Math.min(260, Math.ceil(_labelWidth(legendNames, 40, THEME.fontSize) + 48));
    layout.legend = { ...(layout.legend as Record<string, unknown>), x: 1.02, xanchor: "left", y: 1, yanchor: "top", bgcolor: "rgba(255,255,255,0)" };
    layout.margin = { ...(layout.margin as Record<string, unknown>), r: w };
  }
  if (opts.verticalLine !== undefined) {
    layout.shapes = [{ type: "line", xref: "x", yref: "paper", x0: opts.verticalLine, x1: opts.verticalLine, y0: 0, y1: 1, line: { color: "#555555", width: 2, dash: "dot" } }];
    if (opts.verticalLineLabel !== undefined) {
      layout.annotations = [{ x: opts.verticalLine, y: 1, xref: "x", yref: "paper", yanchor: "bottom", text: escapePlotlyText(opts.verticalLineLabel), showarrow: false, font: { size: THEME.fontSize, color: "#555555" } }];
    }
  }
  return { data, layout };
}

/** A #rrggbb colour with an alpha, as rgba(); other CSS colours are returned unchanged. */
function _alpha(color: string, a: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  return m ? `rgba(${parseInt(m[1], 16)},${parseInt(m[2], 16)},${parseInt(m[3], 16)},${a})` : color;
}
