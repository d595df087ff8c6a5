import { AttentionTrace, Matrix } from "../math/trace";
import { Figure, headColor } from "./theme";
import { _GridOptions, _Panel } from "./_panel-types";
import { _panelFigure } from "./_panels";
import { TokenOptions, _cellData, _divergingScale, _headLabel, _labels, _numHeads, _tokens } from "./_shared";
import { _GRID_OPTIONS, _checkGrid, _checkOptions, _checkSizeCap } from "./_validate";

const _OUTPUT_OPTIONS = { ..._GRID_OPTIONS, queryTokens: "strings" } as const;

/** Coloured bands (plotly shapes in data coordinates) marking each head's block along one axis. */
function _headBands(numHeads: number, d: number, along: "x" | "y", other: number): Array<Record<string, unknown>> {
  const shapes: Array<Record<string, unknown>> = [];
  for (let h = 0; h < numHeads; h++) {
    const a = h * d - 0.5;
    const b = (h + 1) * d - 0.5;
    const band = along === "x" ? { x0: a, x1: b, y0: -0.5, y1: other - 0.5 } : { y0: a, y1: b, x0: -0.5, x1: other - 0.5 };
    shapes.push({ type: "rect", ...band, line: { color: headColor(h), width: 3 }, fillcolor: "rgba(0,0,0,0)", layer: "above" });
  }
  return shapes;
}

/** Options of plotOutputProjection and plotHeadContributions. */
export type PlotOutputOptions = Pick<TokenOptions, "queryTokens"> & _GridOptions;

/**
 * Concatenation and the output projection: concat (heads side by side, each framed in its head colour),
 * W^O (rows framed by the head they read), and the output.
 *
 * output = Concat(head_1 … head_h)·W^O + b^O; concat (L, h·dV), W^O (h·dV, dModel), output (L, dModel)
 * @param trace the trace of `MultiHeadAttention.forward`
 * @param wO the output weights (h·dV, dModel), e.g. mha.params.wO
 * @param opts query token labels
 * @example plotOutputProjection(trace, mha.params.wO).data.length // returns 3
 */
export function plotOutputProjection(trace: AttentionTrace, wO: Matrix, opts: PlotOutputOptions = {}): Figure {
  _checkOptions("plotOutputProjection", opts, _OUTPUT_OPTIONS);
  _numHeads("plotOutputProjection", trace);
  _checkGrid("plotOutputProjection", "wO", wO, "the output weights (h·dV, dModel), e.g. mha.params.wO");
  const L = trace.concat.length;
  const hd = trace.concat[0]?.length ?? 0;
  if (wO.length !== hd) throw new Error(`plotOutputProjection: wO has ${wO.length} rows but concat has ${hd} columns (h·dV)`);
  const { q } = _tokens({ queryTokens: opts.queryTokens, keyTokens: opts.queryTokens }, L, L);
  const qLab = _labels(q, L);
  const dModel = wO[0]?.length ?? 0;
  _checkSizeCap("plotOutputProjection", L * hd + hd * dModel + L * dModel, `concat ${L}×${hd}, W^O ${hd}×${dModel}, output ${L}×${dModel}`, "pass a shorter sequence");
  const dV = trace.dV;
  const h = trace.numHeads;
  const headOf = (c: number) => _headLabel(Math.floor(c / dV));
  const act = _divergingScale("activations", "activation", [trace.concat, trace.output]);
  const wts = _divergingScale("weights", "W^O", [wO]);
  const cLab = Array.from({ length: hd }, (_, c) => `${headOf(c)}, dim ${c % dV}`);
  const panels: _Panel[] = [
    {
      z: trace.concat,
      rows: { labels: q ?? qLab, title: "query" },
      cols: { count: hd, title: "h·dV" },
      title: `concat (${L}×${hd})`,
      scale: act,
      customdata: _cellData(qLab, cLab),
      hovertemplate: "query: %{customdata[0]}<br>%{customdata[1]}<br>value: %{z:.3f}<extra>concat</extra>",
      shapes: _headBands(h, dV, "x", L),
    },
    {
      z: wO,
      rows: { count: hd, title: "h·dV" },
      cols: { count: dModel, title: "dModel" },
      title: `W^O (${hd}×${dModel})`,
      titleMarkup: `W<sup>O</sup>  (${hd}×${dModel})`,
      scale: wts,
      customdata: _cellData(cLab, _labels(undefined, dModel)),
      hovertemplate: "row: %{customdata[0]}<br>output dim: %{customdata[1]}<br>value: %{z:.3f}<extra>W^O</extra>",
      shapes: _headBands(h, dV, "y", dModel),
    },
    {
      z: trace.output,
      rows: { labels: q ?? qLab, title: "query" },
      cols: { count: dModel, title: "dModel" },
      title: `output (${L}×${dModel})`,
      scale: act,
      customdata: _cellData(qLab, _labels(undefined, dModel)),
      hovertemplate: "query: %{customdata[0]}<br>dim: %{customdata[1]}<br>value: %{z:.3f}<extra>output</extra>",
    },
  ];
  return _panelFigure(panels, { ...opts, maxColumns: opts.maxColumns ?? 3, title: opts.title ?? "concat · W^O = output (frames: one colour per head)" });
}

/**
 * Each head's contribution to the output, head_i·W^O_i (L, dModel), then their sum (+ b^O) = output.
 *
 * output = Σ_i head_i · W^O[i·dV … (i+1)·dV − 1, :] + b^O
 * @param trace the trace of `MultiHeadAttention.forward` (its `contributions` and `output`)
 * @param opts query token labels, grid options
 * @example plotHeadContributions(trace).data.length // returns trace.numHeads + 1
 */
export function plotHeadContributions(trace: AttentionTrace, opts: PlotOutputOptions = {}): Figure {
  _checkOptions("plotHeadContributions", opts, _OUTPUT_OPTIONS);
  const h = _numHeads("plotHeadContributions", trace);
  const L = trace.output.length;
  const dModel = trace.output[0]?.length ?? 0;
  _checkSizeCap("plotHeadContributions", (h + 1) * L * dModel, `${h + 1} panels × ${L}×${dModel}`, "pass a shorter sequence");
  const { q } = _tokens({ queryTokens: opts.queryTokens, keyTokens: opts.queryTokens }, L, L);
  const qLab = _labels(q, L);
  const dLab = _labels(undefined, dModel);
  const scale = _divergingScale("contributions", "value", [...trace.contributions, trace.output]);
  const panel = (z: Matrix, title: string, markup: string, color?: string): _Panel => ({
    z,
    rows: { labels: q ?? qLab, title: "query" },
    cols: { count: dModel, title: "dModel" },
    title,
    titleMarkup: markup,
    titleColor: color,
    scale,
    customdata: _cellData(qLab, dLab),
    hovertemplate: `query: %{customdata[0]}<br>dim: %{customdata[1]}<br>value: %{z:.3f}<extra>${title}</extra>`,
  });
  const panels = trace.contributions.map((c, i) =>
    panel(c, `${_headLabel(i)} · W^O_${i + 1}`, `${_headLabel(i)} · W<sub>${i + 1}</sub><sup>O</sup>`, headColor(i)),
  );
  panels.push(panel(trace.output, "output = Σ + b^O", "output = Σ + b<sup>O</sup>"));
  return _panelFigure(panels, { ...opts, sharedRowLabels: true, title: opts.title ?? "each head's contribution to the output" });
}
