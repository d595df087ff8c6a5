import { AttentionTrace } from "../math/trace";
import { Figure } from "./theme";
import { _GridOptions, _Panel } from "./_panel-types";
import { _panelFigure } from "./_panels";
import { TokenOptions, _ATTENTION_WEIGHTS_SPEC, _cellData, _checkHead, _headLabel, _labels, _numHeads, _tokens } from "./_shared";
import { _GRID_OPTIONS, _TOKEN_OPTIONS, _checkOptions, _checkSizeCap } from "./_validate";


/** Options of plotHeads. */
export interface PlotHeadsOptions extends TokenOptions, _GridOptions {
  /** which heads to draw (0-based), default all */ heads?: number[];
}

/**
 * The attention weights of every head, one heatmap per head in a grid, on one shared colour scale [0, 1].
 *
 * A_i = softmax(Q_i K_iᵀ / √dK + M), shape (L, S) per head; rows are queries, columns keys.
 * Hover shows query token, key token, weight and raw score (Q_i K_iᵀ)[q, k].
 * @param trace the trace of `MultiHeadAttention.forward` (h heads of (L, S) weights)
 * @param opts token labels (queryTokens (L,), keyTokens (S,)), grid options
 * @example plotHeads(trace, { queryTokens: ["the", "cat", "sat", "down"] }).data.length // returns trace.numHeads
 */
export function plotHeads(trace: AttentionTrace, opts: PlotHeadsOptions = {}): Figure {
  _checkOptions("plotHeads", opts, { ..._TOKEN_OPTIONS, ..._GRID_OPTIONS, heads: "indices" });
  const numHeads = _numHeads("plotHeads", trace);
  const L = trace.heads[0].weights.length;
  const S = L > 0 ? trace.heads[0].weights[0].length : 0;
  const { q, k } = _tokens(opts, L, S);
  const heads = opts.heads ?? trace.heads.map((_, i) => i);
  for (const h of heads) _checkHead("plotHeads", numHeads, h, "heads");
  _checkSizeCap("plotHeads", heads.length * L * S, `${heads.length} heads × ${L}×${S}`, "draw fewer heads (heads: [0, 1]) or a window of the tokens");
  const qLab = _labels(q, L);
  const kLab = _labels(k, S);
  const panels: _Panel[] = heads.map((h, j) => {
    const head = trace.heads[h];
    return {
      z: head.weights, // (L, S)
      rows: { labels: q ?? qLab, title: "query" },
      cols: { labels: k ?? kLab, title: "key" },
      title: _headLabel(h),
      scale: _ATTENTION_WEIGHTS_SPEC,
      customdata: _cellData(qLab, kLab, (r, c) => [head.scores[r][c]]),
      hovertemplate:
        `query: %{customdata[0]}<br>key: %{customdata[1]}<br>weight: %{z:.3f}<br>score: %{customdata[2]:.3f}` +
        `<extra>${_headLabel(h)}</extra>`,
    };
  });
  return _panelFigure(panels, {
    title: opts.title,
    columns: opts.columns,
    maxColumns: opts.maxColumns,
    maxLabelChars: opts.maxLabelChars,
    tokenPx: opts.tokenPx,
    sharedRowLabels: true,
  });
}
