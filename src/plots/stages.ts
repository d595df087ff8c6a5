import { AttentionTrace, Matrix } from "../math/trace";
import { Figure } from "./theme";
import { _GridOptions, _Panel } from "./_panel-types";
import { _panelFigure } from "./_panels";
import { TokenOptions, _ATTENTION_WEIGHTS_SPEC, _cellData, _checkHead, _divergingScale, _fmt, _headLabel, _labels, _numHeads, _tokens } from "./_shared";
import { _GRID_OPTIONS, _TOKEN_OPTIONS, _checkOptions, _checkSizeCap } from "./_validate";

/** Options of plotHeadStages. */
export interface PlotHeadStagesOptions extends TokenOptions, _GridOptions {
  /** the head to show (0-based), default 0 */ head?: number;
}

/**
 * The stages of one head, left to right: scores → scaled → masked → softmax → output.
 *
 * scores = Q_i K_iᵀ, scaled = scores/√dK, masked = scaled + M (−∞ drawn grey), weights = softmax(masked), output = weights·V_i
 * The three score panels share one diverging scale, so the shrinking by √dK is visible.
 * @param trace the trace of `MultiHeadAttention.forward`
 * @param opts head (0-based), token labels
 * @example plotHeadStages(trace, { head: 1 }).data.length // returns 5
 */
export function plotHeadStages(trace: AttentionTrace, opts: PlotHeadStagesOptions = {}): Figure {
  _checkOptions("plotHeadStages", opts, { ..._TOKEN_OPTIONS, ..._GRID_OPTIONS, head: "index" });
  const h = opts.head ?? 0;
  _checkHead("plotHeadStages", _numHeads("plotHeadStages", trace), h);
  const hd = trace.heads[h];
  const L = hd.scores.length;
  const S = hd.scores[0]?.length ?? 0;
  const { q, k } = _tokens(opts, L, S);
  _checkSizeCap("plotHeadStages", 4 * L * S + L * (hd.output[0]?.length ?? 0), `4 stages × ${L}×${S}`, "pass a shorter sequence");
  const qLab = _labels(q, L);
  const kLab = _labels(k, S);
  const scoreScale = _divergingScale("scores", "score", [hd.scores, hd.scaledScores, hd.maskedScores]);
  const outScale = _divergingScale("output", "output", [hd.output]);
  const txt = (z: Matrix) => z.map((r) => r.map((v) => _fmt(v)));
  const attn = (z: Matrix, title: string, scale = scoreScale, name = "value"): _Panel => ({
    z,
    rows: { labels: q ?? qLab, title: "query" },
    cols: { labels: k ?? kLab, title: "key" },
    title,
    scale,
    text: txt(z),
    customdata: _cellData(qLab, kLab, (r, c) => [_fmt(z[r][c], 3)]),
    hovertemplate: `query: %{customdata[0]}<br>key: %{customdata[1]}<br>${name}: %{customdata[2]}<extra>${title}</extra>`,
  });
  const dV = hd.output[0]?.length ?? 0;
  const panels: _Panel[] = [
    attn(hd.scores, "1. scores Q·Kᵀ", scoreScale, "score"),
    attn(hd.scaledScores, "2. scaled ÷ √dK", scoreScale, "scaled"),
    attn(hd.maskedScores, "3. masked (+M)", scoreScale, "masked"),
    attn(hd.weights, "4. softmax", _ATTENTION_WEIGHTS_SPEC, "weight"),
    {
      z: hd.output,
      rows: { labels: q ?? qLab, title: "query" },
      cols: { count: dV, title: "dim" },
      title: "5. output A·V",
      scale: outScale,
      text: txt(hd.output),
      customdata: _cellData(qLab, _labels(undefined, dV)),
      hovertemplate: `query: %{customdata[0]}<br>dim: %{customdata[1]}<br>value: %{z:.3f}<extra>output</extra>`,
    },
  ];
  return _panelFigure(panels, { ...opts, sharedRowLabels: true, title: opts.title ?? `${_headLabel(h)}: scores → scaled → masked → softmax → output (grey = −∞)` });
}
