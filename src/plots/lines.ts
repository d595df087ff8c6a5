/**
 * Line charts: series with dashes, groups and min–max bands, log axes and a marked x, on the shared x–y layout
 * (_xy.ts). `_lines` is the same chart under another builder's name (plotCostCurve).
 */
import { Figure, HEAD_COLORS, THEME, headColor } from "./theme";
import { escapePlotlyText, _labelWidth } from "./escape";
import { _describe } from "./_shared";
import { _checkOptions } from "./_validate";
import { XYOptions, _xyLayout } from "./_xy";

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
