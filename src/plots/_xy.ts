/**
 * The x–y chart layout bars and lines share: axes, grid, log ticks, titles in the theme. Private to src/plots.
 */
import { Figure, THEME, _baseLayout } from "./theme";
import { escapePlotlyText, _wrapTitle } from "./escape";

/**
 * Ticks of a log axis that stay at full font size: the x values themselves when there are few,
 * else powers of 10 (wide ranges) or powers of 2 (narrow ranges). Plotly's own log ticks add small
 * "2 5" minor labels that are unreadable on a projector.
 */
export function _logTicks(values: number[] | undefined, useValues: boolean): Record<string, unknown> {
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
