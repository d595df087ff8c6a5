import { AttentionTrace } from "../math/trace";
import { Figure, WEIGHTS_SCALE } from "./theme";
import { _GridOptions, _Panel, _ScaleSpec, _cellData, _checkTokens, _labels, _panelFigure } from "./_panels";

/** Token labels for the rows (queries) and columns (keys) of attention maps. */
export interface TokenOptions {
  /** (L,) one label per query row; indices when omitted */ queryTokens?: string[];
  /** (S,) one label per key column; defaults to queryTokens when L = S (self-attention) */ keyTokens?: string[];
}

/** Options of plotHeads. */
export interface PlotHeadsOptions extends TokenOptions, _GridOptions {
  /** which heads to draw (0-based), default all */ heads?: number[];
}

/** The shared [0, 1] colour scale of attention weights. */
export const _WEIGHT_SCALE: _ScaleSpec = { key: "weights", title: "weight", colorscale: WEIGHTS_SCALE, zmin: 0, zmax: 1 };

/** Resolve and check token labels against an (L, S) attention shape. */
export function _tokens(opts: TokenOptions, L: number, S: number): { q: string[] | undefined; k: string[] | undefined } {
  const q = opts.queryTokens;
  const k = opts.keyTokens ?? (q && q.length === S && L === S ? q : undefined);
  _checkTokens("queryTokens", q, L, "the number of query rows L");
  _checkTokens("keyTokens", k, S, "the number of key columns S");
  return { q, k };
}

/**
 * The attention weights of every head, one heatmap per head in a grid, on one shared colour scale [0, 1].
 *
 * A_i = softmax(Q_i K_iᵀ / √dK + M), shape (L, S) per head; rows are queries, columns keys.
 * Hover shows query token, key token, weight and raw score (Q_i K_iᵀ)[q, k].
 * @param trace the trace of `MultiHeadAttention.forward` (h heads of (L, S) weights)
 * @param opts token labels (queryTokens (L,), keyTokens (S,)), grid options
 * @example plotHeads(trace, { queryTokens: ["a", "b"] }).data.length // returns trace.numHeads
 */
export function plotHeads(trace: AttentionTrace, opts: PlotHeadsOptions = {}): Figure {
  if (!trace || !Array.isArray(trace.heads) || trace.heads.length === 0) {
    throw new Error("plotHeads: trace has no heads (expected the result of MultiHeadAttention.forward)");
  }
  const L = trace.heads[0].weights.length;
  const S = L > 0 ? trace.heads[0].weights[0].length : 0;
  const { q, k } = _tokens(opts, L, S);
  const heads = opts.heads ?? trace.heads.map((_, i) => i);
  for (const h of heads) {
    if (!Number.isInteger(h) || h < 0 || h >= trace.heads.length) {
      throw new Error(`plotHeads: head ${h} does not exist, the trace has ${trace.heads.length} heads`);
    }
  }
  const qLab = _labels(q, L);
  const kLab = _labels(k, S);
  const panels: _Panel[] = heads.map((h, j) => {
    const head = trace.heads[h];
    return {
      z: head.weights, // (L, S)
      rows: { labels: q ?? qLab },
      cols: { labels: k ?? kLab },
      title: `head ${h + 1}`,
      scale: _WEIGHT_SCALE,
      customdata: _cellData(qLab, kLab, (r, c) => [head.scores[r][c]]),
      hovertemplate:
        `query: %{customdata[0]}<br>key: %{customdata[1]}<br>weight: %{z:.3f}<br>score: %{customdata[2]:.3f}` +
        `<extra>head ${h + 1}</extra>`,
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
