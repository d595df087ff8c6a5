/**
 * Two plain charts the course experiments need and src/plots does not draw: lines over a numeric x
 * (e.g. variance against dK) and bars over named categories (e.g. a distance per pair of heads).
 * They use the shared theme, so they look like every other mha-lab chart.
 *
 * Dependencies: theme, escapePlotlyText.
 */
import { escapePlotlyText } from "../plots/escape";
import { Figure, HEAD_COLORS, THEME, _baseLayout } from "../plots/theme";

/** One named series of y values. */
export interface Series {
  /** legend name (raw text) */ name: string;
  /** one y value per x */ values: number[];
  /** draw dashed (e.g. a reference curve) */ dash?: boolean;
}

/** Options of plotLines and plotBars. */
export interface SimpleChartOptions {
  title?: string;
  xTitle?: string;
  yTitle?: string;
  /** logarithmic x axis (plotLines only) */ logX?: boolean;
  /** logarithmic y axis */ logY?: boolean;
  /** y-axis range [min, max] (in log10 units when logY) */ yRange?: [number, number];
  /** pixels (default 420) */ height?: number;
  /** pixels (default 760) */ width?: number;
}

function _layout(opts: SimpleChartOptions, showLegend: boolean, xTicks?: number[]): Figure["layout"] {
  const axis = (title: string | undefined, log: boolean | undefined) => ({
    ...(log ? { dtick: 1 } : {}), // log axes: label powers of ten only, no crowded "2", "5" minor labels
    title: { text: escapePlotlyText(title ?? ""), font: { size: THEME.titleSize } },
    type: log ? "log" : "linear",
    gridcolor: "#e0e0e0",
    zeroline: false,
    linecolor: "#444444",
    ticks: "outside",
  });
  return {
    ..._baseLayout(),
    plot_bgcolor: "#ffffff",
    showlegend: showLegend,
    legend: { font: { size: THEME.fontSize }, x: 1.02, xanchor: "left", y: 1 },
    width: opts.width ?? 760,
    height: opts.height ?? 420,
    margin: { l: 80, r: showLegend ? 220 : 30, t: 60, b: 70 },
    title: { text: escapePlotlyText(opts.title ?? ""), font: { size: THEME.figureTitleSize }, x: 0.02, xanchor: "left" },
    xaxis: { ...axis(opts.xTitle, opts.logX), ...(xTicks ? { tickvals: xTicks, ticktext: xTicks.map(String) } : {}) },
    yaxis: { ...axis(opts.yTitle, opts.logY), ...(opts.yRange ? { range: opts.yRange } : {}) },
  };
}

/**
 * Lines with markers, one per series, over shared x values.
 * @param x (n,) x values, e.g. [4, 16, 64, 256]
 * @param series each with n values
 * @param opts titles, log axes, size
 * @example plotLines([4, 16], [{ name: "var", values: [4, 16] }]).data.length // returns 1
 */
export function plotLines(x: number[], series: Series[], opts: SimpleChartOptions = {}): Figure {
  if (!Array.isArray(series) || series.length === 0) throw new Error("plotLines: series is empty, give at least one { name, values }");
  series.forEach((s, i) => {
    if (s.values.length !== x.length) {
      throw new Error(`plotLines: series ${i} ("${s.name}") has ${s.values.length} values but x has ${x.length}`);
    }
  });
  const data = series.map((s, i) => ({
    type: "scatter",
    mode: s.dash ? "lines" : "lines+markers",
    name: escapePlotlyText(s.name),
    x,
    y: s.values.map((v) => (Number.isFinite(v) ? v : null)),
    line: { color: s.dash ? "#555555" : HEAD_COLORS[i % HEAD_COLORS.length], width: s.dash ? 2 : 3, dash: s.dash ? "dash" : "solid" },
    marker: { size: 9 },
    hovertemplate: `x = %{x}<br>${escapePlotlyText(s.name)}: %{y:.4g}<extra></extra>`,
  }));
  const ticks = x.length <= 12 ? x : undefined; // few x values: label exactly those (e.g. dK = 4, 16, 64, 256)
  return { data, layout: _layout(opts, series.length > 1, ticks) };
}

/**
 * Vertical bars, one per category.
 * @param labels (n,) category names (raw text)
 * @param values (n,)
 * @param opts titles, log y axis, size
 * @example plotBars(["head 1", "head 2"], [0.3, 0.5]).data.length // returns 1
 */
export function plotBars(labels: string[], values: number[], opts: SimpleChartOptions = {}): Figure {
  if (labels.length !== values.length) throw new Error(`plotBars: labels has ${labels.length} entries but values has ${values.length}`);
  if (labels.length === 0) throw new Error("plotBars: no bars to draw (labels is empty)");
  const data = [{
    type: "bar",
    x: labels.map(escapePlotlyText),
    y: values.map((v) => (Number.isFinite(v) ? v : null)),
    marker: { color: labels.map((_, i) => HEAD_COLORS[i % HEAD_COLORS.length]) },
    text: values.map((v) => (Number.isFinite(v) ? String(Number(v.toPrecision(3))) : "")),
    textposition: "outside",
    hovertemplate: "%{x}: %{y:.4g}<extra></extra>",
  }];
  return { data, layout: _layout(opts, false) };
}
