import { Figure, HEAD_COLORS, THEME } from "./theme";
import { _xyLayout } from "./basic";
import { escapePlotlyText } from "./escape";

/** One measured or counted series over sequence lengths. */
export interface CostSeries {
  /** legend name (raw text) */ name: string;
  /** one value per sequence length (FLOPs, ms, bytes …) */ values: number[];
}

/** Options of plotCostCurve. */
export interface PlotCostOptions {
  title?: string;
  /** y-axis title, e.g. "FLOPs" or "ms" */ yTitle?: string;
  /** log–log axes (a power law becomes a straight line of slope = its exponent) */ log?: boolean;
  /** add a dashed c·n² curve through the last point of the first series (default true) */ quadraticReference?: boolean;
}

/**
 * The cost of attention against sequence length n, with a dashed c·n² reference: the O(n²) curve.
 *
 * reference(n) = y_last · (n / n_last)²
 * @param seqLens (m,) sequence lengths n, increasing
 * @param series values (m,) per series, e.g. mhaCost(...).flops for each n, or timings in ms
 * @param opts axis titles, log axes
 * @example plotCostCurve([64, 128], [{ name: "FLOPs", values: [1e6, 4e6] }]).data.length // returns 2
 */
export function plotCostCurve(seqLens: number[], series: CostSeries[], opts: PlotCostOptions = {}): Figure {
  if (series.length === 0) throw new Error("plotCostCurve: series is empty, give at least one { name, values }");
  series.forEach((s, i) => {
    if (s.values.length !== seqLens.length) {
      throw new Error(`plotCostCurve: series ${i} ("${s.name}") has ${s.values.length} values but seqLens has ${seqLens.length}`);
    }
  });
  const data: Array<Record<string, unknown>> = series.map((s, i) => ({
    type: "scatter",
    mode: "lines+markers",
    name: escapePlotlyText(s.name),
    x: seqLens,
    y: s.values.map((v) => (Number.isFinite(v) ? v : null)),
    line: { color: HEAD_COLORS[i % HEAD_COLORS.length], width: 3 },
    marker: { size: 8 },
    hovertemplate: `n = %{x}<br>${escapePlotlyText(s.name)}: %{y:.4s}<extra></extra>`,
  }));
  const m = seqLens.length;
  if (opts.quadraticReference !== false && m > 0) {
    const nLast = seqLens[m - 1];
    const yLast = series[0].values[m - 1];
    data.push({
      type: "scatter",
      mode: "lines",
      name: "c·n² (reference)",
      x: seqLens,
      y: seqLens.map((n) => yLast * (n / nLast) ** 2),
      line: { color: "#555555", width: 2, dash: "dash" },
      hovertemplate: "n = %{x}<br>c·n²: %{y:.4s}<extra></extra>",
    });
  }
  const layout = _xyLayout({
    title: opts.title ?? "cost of attention grows as n²",
    xTitle: "sequence length n",
    yTitle: opts.yTitle ?? "cost",
    logX: opts.log,
    logY: opts.log,
    legend: true,
    xValues: seqLens,
    yValues: data.flatMap((t) => t.y as Array<number | null>).filter((v): v is number => v !== null),
  });
  return { data, layout: { ...layout, width: THEME.maxWidth, height: 520 } };
}