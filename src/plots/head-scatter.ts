/**
 * One point per head of a model, two measured numbers against each other (e.g. how concentrated a head's weights
 * are vs how far the sentence embedding moves when the head is removed), with chosen heads labelled.
 */
import { _baseLayout, Figure, THEME } from "./theme";
import { _wrapTitle, escapePlotlyText } from "./escape";

/** Options of plotHeadScatter. */
export interface PlotHeadScatterOptions {
  /** figure title (raw text) */ title?: string;
  /** x axis title */ xTitle: string;
  /** y axis title */ yTitle: string;
  /** heads to label on the chart, as [layer, head] (0-based) */ label?: [number, number][];
  /** log y axis (default false) */ logY?: boolean;
}

/**
 * Scatter of (x[l][h], y[l][h]) for every head; hover names "layer l, head h+1"; colour = layer.
 * @param x (layers, heads)
 * @param y (layers, heads)
 * @param opts xTitle, yTitle, title, label, logY
 * @example plotHeadScatter([[0.1, 0.9]], [[2, 1]], { xTitle: "a", yTitle: "b" }).data.length // returns 1
 */
export function plotHeadScatter(x: number[][], y: number[][], opts: PlotHeadScatterOptions): Figure {
  const fn = "plotHeadScatter";
  if (!Array.isArray(x) || !Array.isArray(y) || x.length === 0 || x.length !== y.length) {
    throw new Error(`${fn}: x and y must be (layers, heads) grids of the same shape, got ${x?.length} and ${y?.length} layers`);
  }
  x.forEach((row, l) => {
    if (!Array.isArray(row) || !Array.isArray(y[l]) || row.length !== y[l].length) throw new Error(`${fn}: layer ${l} has ${row?.length} x values but ${y[l]?.length} y values`);
  });
  const px: number[] = [];
  const py: number[] = [];
  const names: string[] = [];
  const layerOf: number[] = [];
  x.forEach((row, l) => row.forEach((v, h) => {
    px.push(v);
    py.push(y[l][h]);
    names.push(`layer ${l}, head ${h + 1}`);
    layerOf.push(l);
  }));
  const title = _wrapTitle(opts.title ?? "", THEME.maxWidth - 40, THEME.figureTitleSize);
  const top = 40 + title.lines * 24;
  const annotations = (opts.label ?? []).map(([l, h]) => ({
    x: x[l][h], y: opts.logY ? Math.log10(y[l][h]) : y[l][h], text: `L${l}·H${h + 1}`, showarrow: true, arrowhead: 0, ax: 24, ay: -22,
    font: { size: THEME.fontSize },
  }));
  return {
    data: [{
      type: "scatter", mode: "markers", x: px, y: py, customdata: names,
      marker: { size: 9, color: layerOf, colorscale: "Viridis", cmin: 0, cmax: Math.max(1, x.length - 1),
        colorbar: { title: { text: "layer" }, thickness: 14, dtick: 1 } },
      hovertemplate: `%{customdata}<br>${escapePlotlyText(opts.xTitle)}: %{x:.3f}<br>${escapePlotlyText(opts.yTitle)}: %{y:.4g}<extra></extra>`,
    }],
    layout: {
      ..._baseLayout(),
      plot_bgcolor: "#ffffff",
      title: { text: title.text, font: { size: THEME.figureTitleSize }, x: 0.02, xanchor: "left" },
      width: THEME.maxWidth,
      height: top + 460,
      margin: { l: 80, r: THEME.colorbarPx, t: top + 10, b: 70 },
      xaxis: { title: { text: escapePlotlyText(opts.xTitle) }, zeroline: false, gridcolor: "#e0e0e0" },
      yaxis: { title: { text: escapePlotlyText(opts.yTitle) }, type: opts.logY ? "log" : "linear", gridcolor: "#e0e0e0" },
      annotations,
    } as Figure["layout"],
  };
}
