// One figure of each kind, built from the real MultiHeadAttention: used by the browser test and screenshots.
import { MultiHeadAttention } from "../../src/math/multi-head";
import { causalMask, keyPaddingMask, combineMasks, expandKeyPaddingMask } from "../../src/math/masks";
import { scaledDotProductAttention } from "../../src/math/scaled-dot-product";
import { additiveAttention } from "../../src/math/additive";
import { mhaCost } from "../../src/math/cost";
import { rng, randMatrix } from "../plots/_trace";
import { toyEmbeddings, RUNNING_TOKENS } from "../../src/course/toy";
import {
  plotHeads, plotProjections, plotHeadStages, plotOutputProjection, plotHeadContributions,
  plotMasks, plotAdditiveVsDot, plotCostCurve, plotDataFlow, plotBars, plotLines, plotHeadScores,
} from "../../src/plots";
import { plotHeadsOverTraining } from "../../src/plots/heads-over-training";
import { Figure } from "../../src/plots/theme";

export const EVIL_SCRIPT = "</script><img src=x onerror=alert(1)>";
export const EVIL_LINK = '<a href="javascript:alert(1)">x</a>';

export function gallery(): Record<string, Figure> {
  const next = rng(3);
  const small = MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 1 });
  const toks4 = ["the", "cat", EVIL_LINK, EVIL_SCRIPT];
  const x4 = randMatrix(4, 8, next, 1.5);
  const t4 = small.forward(x4, { causal: true });
  const big = MultiHeadAttention.random({ dModel: 48, numHeads: 12, seed: 2 });
  const toks16 = "[CLS] the quick brown fox jumps over the lazy dog because it was very happy [SEP]".split(" ");
  const x16 = randMatrix(16, 48, next, 3);
  const t16 = big.forward(x16);
  // notebook 12's sizes: all-MiniLM-L6-v2 has 12 heads, "He gave her the ball" is 7 tokens with [CLS] and [SEP]
  const toks7 = ["[CLS]", "he", "gave", "her", "the", "ball", "[SEP]"];
  const t7 = big.forward(randMatrix(7, 48, next, 3));
  const h0 = t4.heads[0];
  const dot = scaledDotProductAttention(h0.q, h0.k, h0.v);
  const add = additiveAttention(h0.q, h0.k, h0.v, { wQ: randMatrix(4, 6, next), wK: randMatrix(4, 6, next), wV: randMatrix(6, 1, next).map((r) => r[0]) });
  // notebook 01's sizes: L = 5, dModel = 4, h = 2, so dK = 2 (narrow panels under wide titles)
  const nb01 = MultiHeadAttention.random({ dModel: 4, numHeads: 2, seed: 0 });
  const t01 = nb01.forward(toyEmbeddings(RUNNING_TOKENS, 4, 0));
  const ns = [16, 32, 64, 128, 256, 512, 1024];
  const costs = ns.map((n) => mhaCost({ dModel: 384, numHeads: 12, seqLen: n }));
  // 5 checkpoints of 4 heads of 6 tokens, sharpening from uniform towards one key each
  const snaps = [0, 100, 200, 400, 800].map((step, j) => ({
    step,
    weights: [0, 1, 2, 3].map((h) => Array.from({ length: 6 }, (_, r) => {
      const row = Array.from({ length: 6 }, (_, c) => Math.exp(1.5 * j * (c === (r + h) % 6 ? 1 : 0) + 0.3 * next()));
      const s = row.reduce((a, b) => a + b, 0);
      return row.map((v) => v / s);
    })),
  }));
  const steps = Array.from({ length: 41 }, (_, i) => 20 * i);
  return {
    heads_16x12: plotHeads(t16, { queryTokens: toks16, title: "16 tokens × 12 heads" }),
    heads_7x12: plotHeads(t7, { queryTokens: toks7, title: "all-MiniLM-L6-v2, layer 0, \"He gave her the ball\": 12 heads" }),
    head_scores: plotHeadScores(
      Array.from({ length: 6 }, (_, l) => Array.from({ length: 12 }, (_, h) => ((l * 7 + h * 5) % 11) / 10)),
      { title: "previous-token score per head (6 layers × 12 heads)", rowLabels: [0, 1, 2, 3, 4, 5].map((l) => `layer ${l}`) },
    ),
    heads_evil: plotHeads(t4, { queryTokens: toks4, maxLabelChars: 48, title: "tokens are text: " + EVIL_LINK }),
    projections: plotProjections(t4, small.params, { head: 1, queryTokens: toks4 }),
    projections_L5_dK2: plotProjections(t01, nb01.params, { head: 0, queryTokens: RUNNING_TOKENS }),
    stages: plotHeadStages(t4, { head: 0, queryTokens: ["the", "cat", "sat", "down"] }),
    output_projection: plotOutputProjection(t4, small.params.wO, { queryTokens: ["the", "cat", "sat", "down"] }),
    contributions: plotHeadContributions(t16, { queryTokens: toks16 }),
    masks: plotMasks(
      [
        { title: "causal", mask: causalMask(5) },
        { title: "padding (last 2)", mask: expandKeyPaddingMask(keyPaddingMask(3, 5), 5) },
        { title: "causal + padding", mask: combineMasks(causalMask(5), expandKeyPaddingMask(keyPaddingMask(3, 5), 5)) },
      ],
      { queryTokens: ["I", "like", "tea", "[PAD]", "[PAD]"] },
    ),
    additive_vs_dot: plotAdditiveVsDot(dot, add, { queryTokens: ["the", "cat", "sat", "down"] }),
    cost: plotCostCurve(ns, [
      { name: "scores + weighted sum FLOPs", values: costs.map((c) => c.flops.scores + c.flops.weightedSum) },
      { name: "projection FLOPs", values: costs.map((c) => c.flops.qProjection + c.flops.kProjection + c.flops.vProjection + c.flops.outputProjection) },
    ], { yTitle: "FLOPs", title: "MiniLM-sized layer (dModel 384, h 12): cost vs n" }),
    cost_log: plotCostCurve(ns, [{ name: "measured ms", values: ns.map((n) => 0.002 * n * n + 0.3 * n) }], { yTitle: "ms", log: true }),
    bars: plotBars(["h = 1", "h = 2", "h = 4", "h = 8", "h = 16"], [24.9, 25.5, 25.8, 25.5, 25.8], { title: "quoted: BLEU vs h", yTitle: "BLEU", yRange: [24, 26.2] }),
    lines: plotLines([4, 16, 64, 256], [{ name: "q·k (unscaled)", values: [2, 4, 8, 16] }, { name: "q·k/√d_k", values: [1, 1, 1, 1], dash: true }], { title: "spread of scores", xTitle: "d_k", yTitle: "std", logX: true }),
    // training notebooks: heads stepping through checkpoints (slider), runs with seed bands, per-head ablation
    heads_over_training: plotHeadsOverTraining(snaps, {
      queryTokens: ["the", "cat", "sat", "on", "the", "mat"],
      curves: [{ name: "train loss", x: steps, values: steps.map((s) => 2 * Math.exp(-s / 150) + 0.1) }, { name: "accuracy", x: steps, values: steps.map((s) => 1 - 0.9 * Math.exp(-s / 200)), right: true, dash: true, colorIndex: 2 }],
    }),
    heads_over_training_plain: plotHeadsOverTraining(snaps, { heads: [0, 2], active: 0, title: "heads 1 and 3 <b>only</b>" }),
    lines_runs: plotLines(steps, [1, 2, 4].flatMap((h, i) => [
      { name: `h = ${h} train`, values: steps.map((s) => 2 * Math.exp(-s / (100 * h)) + 0.2), colorIndex: i, group: `h${h}`, band: { lower: steps.map((s) => 1.8 * Math.exp(-s / (100 * h)) + 0.15), upper: steps.map((s) => 2.2 * Math.exp(-s / (100 * h)) + 0.25) } },
      { name: `h = ${h} validation`, values: steps.map((s) => 2 * Math.exp(-s / (100 * h)) + 0.4), colorIndex: i, dash: true, group: `h${h}` },
    ]), { title: "train vs validation loss (band: min–max over seeds)", xTitle: "step", yTitle: "loss", xName: "step" }),
    bars_ablation: plotBars(["head 1", "head 2", "head 3", "head 4"], [
      { name: "seed 1", values: [0.42, 0.03, 0.31, 0.01], errors: [0.05, 0.01, 0.04, 0.01] },
      { name: "seed 2", values: [0.02, 0.4, 0.05, 0.33] },
    ], { title: "accuracy lost when one head is removed", yTitle: "accuracy drop", referenceLine: { y: 0.1, label: "10 points" } }),
    data_flow: plotDataFlow(t4),
    data_flow_12: plotDataFlow(t16),
  };
}
