import { Matrix } from "../math/trace";
import { Figure } from "./theme";
import { _GridOptions, _Panel, _ScaleSpec } from "./_panel-types";
import { _panelFigure } from "./_panels";
import { TokenOptions, _ATTENTION_WEIGHTS_SPEC, _cellData, _describe, _divergingScale, _fmt, _labels, _tokens } from "./_shared";
import { _GRID_OPTIONS, _TOKEN_OPTIONS, _checkGrid, _checkOptions, _checkSizeCap } from "./_validate";

/** Scores and weights of one attention function. */
export interface ScoresAndWeights {
  /** (L, S) */ scores: Matrix;
  /** (L, S) */ weights: Matrix;
}

/**
 * Additive (Bahdanau) vs scaled dot-product attention on the same queries and keys:
 * top row the scores (each on its own diverging scale), bottom row the weights on the shared [0, 1] scale.
 *
 * dot: s = q·kᵀ/√dK;  additive: s = w_vᵀ·tanh(q·W_q + k·W_k);  weights = softmax(s)
 * @param dot result of scaledDotProductAttention (uses scaledScores if present, else scores)
 * @param additive result of additiveAttention
 * @param opts token labels
 * @example plotAdditiveVsDot(dot, add).data.length // returns 4
 */
export function plotAdditiveVsDot(
  dot: ScoresAndWeights & { scaledScores?: Matrix },
  additive: ScoresAndWeights,
  opts: TokenOptions & _GridOptions = {},
): Figure {
  const fn = "plotAdditiveVsDot";
  _checkOptions(fn, opts, { ..._TOKEN_OPTIONS, ..._GRID_OPTIONS });
  for (const [name, r] of [["dot", dot], ["additive", additive]] as const) {
    if (!r || typeof r !== "object") throw new Error(`${fn}: ${name} must be { scores, weights } (the result of ${name === "dot" ? "scaledDotProductAttention" : "additiveAttention"}), got ${_describe(r)}`);
    _checkGrid(fn, `${name}.weights`, r.weights);
    _checkGrid(fn, `${name}.scores`, name === "dot" ? (dot.scaledScores ?? dot.scores) : r.scores);
  }
  const L = dot.weights.length;
  const S = dot.weights[0]?.length ?? 0;
  _checkSizeCap(fn, 4 * L * S, `4 panels × ${L}×${S}`, "pass a shorter sequence");
  if (additive.weights.length !== L || (additive.weights[0]?.length ?? 0) !== S) {
    throw new Error(
      `plotAdditiveVsDot: additive weights are ${additive.weights.length}×${additive.weights[0]?.length ?? 0} but dot-product weights are ${L}×${S}`,
    );
  }
  const { q, k } = _tokens(opts, L, S);
  const qLab = _labels(q, L);
  const kLab = _labels(k, S);
  const dotScores = dot.scaledScores ?? dot.scores;
  const mk = (z: Matrix, title: string, scale: _ScaleSpec, name: string): _Panel => ({
    z,
    rows: { labels: q ?? qLab, title: "query" },
    cols: { labels: k ?? kLab, title: "key" },
    title,
    scale,
    text: z.map((r) => r.map((v) => _fmt(v))),
    customdata: _cellData(qLab, kLab, (r, c) => [_fmt(z[r][c], 3)]),
    hovertemplate: `query: %{customdata[0]}<br>key: %{customdata[1]}<br>${name}: %{customdata[2]}<extra>${title}</extra>`,
  });
  const panels = [
    mk(dotScores, "dot-product scores q·kᵀ/√dK", _divergingScale("dot", "dot score", [dotScores]), "score"),
    mk(additive.scores, "additive scores wᵀ·tanh(qW+kW)", _divergingScale("add", "additive score", [additive.scores]), "score"),
    mk(dot.weights, "dot-product weights", _ATTENTION_WEIGHTS_SPEC, "weight"),
    mk(additive.weights, "additive weights", _ATTENTION_WEIGHTS_SPEC, "weight"),
  ];
  return _panelFigure(panels, { ...opts, maxColumns: opts.maxColumns ?? 2, sharedRowLabels: true, title: opts.title ?? "additive vs dot-product attention" });
}
