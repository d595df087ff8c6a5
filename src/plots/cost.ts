import { Figure } from "./theme";
import { LineSeries, _lines } from "./lines";
import { _checkOptions } from "./_validate";

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
 * A plotLines chart (x = n, SI-formatted hover) plus the reference series.
 *
 * reference(n) = y_last · (n / n_last)²
 * @param seqLens (m,) sequence lengths n, increasing
 * @param series values (m,) per series, e.g. mhaCost(...).flops for each n, or timings in ms
 * @param opts axis titles, log axes
 * @example plotCostCurve([64, 128], [{ name: "FLOPs", values: [1e6, 4e6] }]).data.length // returns 2
 */
export function plotCostCurve(seqLens: number[], series: CostSeries[], opts: PlotCostOptions = {}): Figure {
  _checkOptions("plotCostCurve", opts, { title: "string", yTitle: "string", log: "boolean", quadraticReference: "boolean" });
  const lines: LineSeries[] = (Array.isArray(series) ? series : []).map((s) => ({ name: s.name, values: s.values }));
  const m = Array.isArray(seqLens) ? seqLens.length : 0;
  if (opts.quadraticReference !== false && m > 0 && lines.length > 0 && lines[0].values?.length === m) {
    const nLast = seqLens[m - 1];
    const yLast = series[0].values[m - 1];
    lines.push({ name: "c·n² (reference)", values: seqLens.map((n) => yLast * (n / nLast) ** 2), dash: true, markers: false });
  }
  return _lines("plotCostCurve", seqLens, lines, {
    title: opts.title ?? "cost of attention grows as n²",
    xTitle: "sequence length n",
    yTitle: opts.yTitle ?? "cost",
    logX: opts.log,
    logY: opts.log,
    xName: "n",
    yFormat: ".4s",
    height: 520,
  }, "seqLens");
}
