import { Figure, HEAD_COLORS, THEME, _baseLayout } from "./theme";
import { escapePlotlyText, _axisLabel, _wrapTitle } from "./escape";

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

/** Layout of a single x–y chart in the theme (white background, light grid, 14 px text). */
export function _xyLayout(o: {
  title?: string;
  xTitle?: string;
  yTitle?: string;
  logX?: boolean;
  logY?: boolean;
  yRange?: [number, number];
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

/** Options of plotBars. */
export interface PlotBarsOptions {
  title?: string;
  yTitle?: string;
  /** fixed y range [min, max], e.g. to zoom on quoted results */ yRange?: [number, number];
}

/**
 * A bar chart of one value per label (timings, FLOP counts, quoted results), in the course theme.
 *
 * bar_i = values[i] at label_i
 * @param labels (n,) raw text, drawn as categories in order
 * @param values (n,) numbers
 * @param opts title, yTitle, yRange
 * @example plotBars(["dot", "additive"], [1.2, 3.4], { yTitle: "ms" }).data.length // returns 1
 */
export function plotBars(labels: string[], values: number[], opts: PlotBarsOptions = {}): Figure {
  if (labels.length !== values.length) {
    throw new Error(`plotBars: labels has ${labels.length} entries but values has ${values.length}`);
  }
  // numeric x with tick labels, so equal labels stay separate bars and labels stay text
  const layout = _xyLayout({ ...opts, legend: false });
  (layout.xaxis as Record<string, unknown>) = {
    ...(layout.xaxis as Record<string, unknown>),
    tickmode: "array",
    tickvals: labels.map((_, i) => i),
    ticktext: labels.map((s) => _axisLabel(s, 32)),
    range: [-0.5, labels.length - 0.5],
    showgrid: false,
  };
  return {
    data: [
      {
        type: "bar",
        x: labels.map((_, i) => i),
        y: values.map((v) => (Number.isFinite(v) ? v : null)),
        marker: { color: labels.map((_, i) => HEAD_COLORS[i % HEAD_COLORS.length]) },
        customdata: labels.map((s) => escapePlotlyText(s)),
        text: values.map((v) => (Number.isFinite(v) ? Number(v.toPrecision(4)).toLocaleString("en-US") : "")),
        textposition: "outside",
        textfont: { size: THEME.fontSize },
        cliponaxis: false,
        hovertemplate: "%{customdata}: %{y}<extra></extra>",
      },
    ],
    layout,
  };
}

/** One line of plotLines. */
export interface LineSeries {
  /** legend name (raw text) */ name: string;
  /** one value per x */ values: number[];
  /** draw dashed (e.g. a reference or theory curve) */ dash?: boolean;
}

/** Options of plotLines. */
export interface PlotLinesOptions {
  title?: string;
  xTitle?: string;
  yTitle?: string;
  logX?: boolean;
  logY?: boolean;
  yRange?: [number, number];
}

/**
 * Lines with markers over a shared x, in the course theme (one colour per series, dashed references).
 *
 * series_j = (x_i, values_j[i])
 * @param x (n,) x values
 * @param series each { name, values (n,), dash? }
 * @param opts titles, log axes
 * @example plotLines([1, 2], [{ name: "a", values: [3, 4] }]).data.length // returns 1
 */
export function plotLines(x: number[], series: LineSeries[], opts: PlotLinesOptions = {}): Figure {
  if (series.length === 0) throw new Error("plotLines: series is empty, give at least one { name, values }");
  series.forEach((s, i) => {
    if (s.values.length !== x.length) {
      throw new Error(`plotLines: series ${i} ("${s.name}") has ${s.values.length} values but x has ${x.length}`);
    }
  });
  return {
    data: series.map((s, i) => ({
      type: "scatter",
      mode: "lines+markers",
      name: escapePlotlyText(s.name),
      x,
      y: s.values.map((v) => (Number.isFinite(v) ? v : null)),
      line: { color: s.dash ? "#555555" : HEAD_COLORS[i % HEAD_COLORS.length], width: 3, dash: s.dash ? "dash" : "solid" },
      marker: { size: 8 },
      hovertemplate: `${escapePlotlyText(s.name)}<br>x = %{x}<br>y = %{y:.4g}<extra></extra>`,
    })),
    layout: _xyLayout({ ...opts, legend: true, xValues: x, yValues: series.flatMap((s) => s.values) }),
  };
}
