// Every plot builder, given what a hostile or hurried user passes: the error names the builder, the option or
// argument, and what was passed (issue 13). Labels stay data, and long sequences degrade instead of crashing.
import { describe, expect, it } from "vitest";
import {
  plotHeads, plotProjections, plotHeadStages, plotOutputProjection, plotHeadContributions, plotMasks, plotAdditiveVsDot,
  plotCostCurve, plotDataFlow, plotHeadScores, plotBars, plotLines, plotAttentionMaps,
} from "../../src/plots";
import { plotHeadsOverTraining } from "../../src/plots/heads-over-training";
import { MultiHeadAttention } from "../../src/math/multi-head";
import { AttentionTrace } from "../../src/math/trace";
import { THEME } from "../../src/plots/theme";
import { randMatrix, rng } from "./_trace";
import { L, Obj, T, axis, panelBox } from "./_helpers";

const mha = MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 1 });
const trace = mha.forward(randMatrix(4, 8, rng(2)));
const h0 = trace.heads[0];
const pair = { scores: h0.scores, weights: h0.weights };
const snaps = [{ step: 0, weights: trace.weights }, { step: 5, weights: trace.weights }];
const any = (x: unknown) => x as any; // what a JavaScript caller (or `as any`) can pass

const TABLE: Array<[string, () => unknown, string]> = [
  // options of the wrong type (issue 13: "queryTokens: "abcd" gives ax.labels.map is not a function")
  ["plotHeads queryTokens string", () => plotHeads(trace, any({ queryTokens: "abcd" })), 'plotHeads: option queryTokens must be an array of strings (one label per position; numbers: .map(String)), got the string "abcd"'],
  ["plotHeads queryTokens numbers", () => plotHeads(trace, any({ queryTokens: ["a", "b", 3, "d"] })), "plotHeads: option queryTokens must be an array of strings (one label per position; numbers: .map(String)), got an array of 4 whose queryTokens[2] is 3"],
  ["plotHeads heads []", () => plotHeads(trace, { heads: [] }), "plotHeads: option heads must be a non-empty array of integers ≥ 0 (0-based indices), got an empty array"],
  ["plotHeads heads 1-based", () => plotHeads(trace, { heads: [1, 2] }), "plotHeads: head index 2 does not exist (option heads); the trace has 2 heads, indices 0 … 1 (charted as head 1 … head 2)"],
  ["plotHeads heads not integer", () => plotHeads(trace, { heads: [0.5] }), "plotHeads: option heads must be a non-empty array of integers ≥ 0 (0-based indices), got an array of 1 whose heads[0] is 0.5"],
  ["plotHeads tokenPx NaN", () => plotHeads(trace, { tokenPx: NaN }), "plotHeads: option tokenPx must be a finite number > 0, got NaN"],
  ["plotHeads tokenPx string", () => plotHeads(trace, any({ tokenPx: "20" })), 'plotHeads: option tokenPx must be a finite number > 0, got the string "20"'],
  ["plotHeads columns 0", () => plotHeads(trace, { columns: 0 }), "plotHeads: option columns must be an integer ≥ 1, got 0"],
  ["plotHeads title number", () => plotHeads(trace, any({ title: 3 })), "plotHeads: option title must be a string, got 3"],
  ["plotHeads unknown option", () => plotHeads(trace, any({ querytokens: ["a"] })), 'plotHeads: "querytokens" is not an option; did you mean "queryTokens"?'],
  ["plotHeads alias", () => plotHeads(trace, any({ tokens: ["a", "b", "c", "d"] })), 'plotHeads: "tokens" is not an option; did you mean "queryTokens"?'],
  ["plotHeads head (singular)", () => plotHeads(trace, any({ head: 0 })), 'plotHeads: "head" is not an option; did you mean "heads"?'],
  ["plotHeads options string", () => plotHeads(trace, any("abcd")), 'plotHeads: options must be an object such as { queryTokens: … }, got the string "abcd"'],
  ["plotHeads too few tokens", () => plotHeads(trace, { queryTokens: ["a"] }), "queryTokens has 1 tokens but the number of query rows L is 4"],
  ["plotHeads no trace", () => plotHeads(any(undefined)), "plotHeads: trace has no heads (expected the result of MultiHeadAttention.forward), got undefined"],
  ["plotHeads a matrix", () => plotHeads(any([[1, 0], [0, 1]])), "plotHeads: trace has no heads (expected the result of MultiHeadAttention.forward), got an array of 2"],
  ["plotProjections head 2", () => plotProjections(trace, mha.params, { head: 2 }), "plotProjections: head index 2 does not exist (option head); the trace has 2 heads"],
  ["plotProjections head -1", () => plotProjections(trace, mha.params, { head: -1 }), "plotProjections: option head must be an integer ≥ 0 (a 0-based index), got -1"],
  ["plotProjections no params", () => plotProjections(trace, any(undefined)), "plotProjections: params must be the layer's parameters (mha.params), got undefined"],
  ["plotProjections wrong layer", () => plotProjections(trace, { ...mha.params, wQ: randMatrix(8, 4, rng(1)) }, { head: 1 }), "plotProjections: params.wQ has 4 columns, too few for head 2 (columns 4 … 7); is it this trace's layer?"],
  ["plotHeadStages head '1'", () => plotHeadStages(trace, any({ head: "1" })), 'plotHeadStages: option head must be an integer ≥ 0 (a 0-based index), got the string "1"'],
  ["plotHeadStages keyTokens string", () => plotHeadStages(trace, any({ keyTokens: "abcd" })), 'plotHeadStages: option keyTokens must be an array of strings'],
  ["plotOutputProjection no wO", () => plotOutputProjection(trace, any(undefined)), "plotOutputProjection: wO must be the output weights (h·dV, dModel), e.g. mha.params.wO (rows of numbers), got undefined"],
  ["plotOutputProjection wO wrong", () => plotOutputProjection(trace, mha.params.wQ.slice(0, 4)), "plotOutputProjection: wO has 4 rows but concat has 8 columns (h·dV)"],
  ["plotOutputProjection queryTokens", () => plotOutputProjection(trace, mha.params.wO, any({ queryTokens: "abcd" })), 'plotOutputProjection: option queryTokens must be an array of strings'],
  ["plotHeadContributions bad trace", () => plotHeadContributions(any({})), "plotHeadContributions: trace has no heads (expected the result of MultiHeadAttention.forward), got an object"],
  ["plotMasks undefined", () => plotMasks(any(undefined)), 'plotMasks: masks must be a non-empty array of { title, mask }, e.g. [{ title: "causal", mask: causalMask(4) }], got undefined'],
  ["plotMasks bare mask", () => plotMasks(any([[false, true], [false, false]])), 'plotMasks: masks[0] must be { title, mask }, got an array of 2 (wrap a bare mask: { title: "mask", mask })'],
  ["plotMasks no title", () => plotMasks(any([{ mask: [[false]] }])), "plotMasks: masks[0].title must be a string, got undefined"],
  ["plotMasks ragged", () => plotMasks([{ title: "m", mask: [[false, true], [false]] }]), "plotMasks: masks[0].mask row 1 has 1 entries but row 0 has 2"],
  ["plotMasks strings", () => plotMasks(any([{ title: "m", mask: [["x"]] }])), 'plotMasks: masks[0].mask[0][0] is the string "x", expected true/false or a number'],
  ["plotMasks tokens", () => plotMasks([{ title: "m", mask: [[false]] }], any({ queryTokens: "a" })), 'plotMasks: option queryTokens must be an array of strings'],
  ["plotAdditiveVsDot undefined", () => plotAdditiveVsDot(pair, any(undefined)), "plotAdditiveVsDot: additive must be { scores, weights } (the result of additiveAttention), got undefined"],
  ["plotAdditiveVsDot no weights", () => plotAdditiveVsDot(pair, any({ scores: h0.scores })), "plotAdditiveVsDot: additive.weights must be a matrix of numbers (rows of numbers), got undefined"],
  ["plotAdditiveVsDot tokens", () => plotAdditiveVsDot(pair, pair, any({ queryTokens: 1 })), "plotAdditiveVsDot: option queryTokens must be an array of strings"],
  ["plotCostCurve mismatched", () => plotCostCurve([1, 2, 3], [{ name: "ms", values: [1, 2] }]), 'plotCostCurve: series 0 ("ms") has 2 values but seqLens has 3'],
  ["plotCostCurve log string", () => plotCostCurve([1], [{ name: "a", values: [1] }], any({ log: "yes" })), 'plotCostCurve: option log must be true or false, got the string "yes"'],
  ["plotCostCurve no series", () => plotCostCurve([1], any(undefined)), "plotCostCurve: series must be a non-empty array of { name, values }, got an empty array"],
  ["plotDataFlow null", () => plotDataFlow(any(null)), "plotDataFlow: layer must be a forward trace or { L, dModel, numHeads, S?, dK?, dV? }, got null"],
  ["plotDataFlow L 0", () => plotDataFlow({ L: 0, dModel: 8, numHeads: 2 }), "plotDataFlow: L must be a positive integer, got 0"],
  ["plotDataFlow option", () => plotDataFlow({ L: 2, dModel: 8, numHeads: 2 }, any({ titel: "x" })), 'plotDataFlow: "titel" is not an option; did you mean "title"?'],
  ["plotHeadScores string cell", () => plotHeadScores(any([[0.5, "1"]])), 'plotHeadScores: scores[0][1] is the string "1", expected a number'],
  ["plotHeadScores zmin", () => plotHeadScores([[1]], { zmin: NaN }), "plotHeadScores: option zmin must be a finite number, got NaN"],
  ["plotHeadScores colLabels", () => plotHeadScores([[1]], any({ colLabels: "head 1" })), "plotHeadScores: option colLabels must be an array of strings"],
  ["plotBars lengths", () => plotBars(["a"], [1, 2]), "plotBars: labels has 1 entries but values has 2"],
  ["plotBars labels string", () => plotBars(any("ab"), [1, 2]), 'plotBars: labels must be an array of strings, got the string "ab"'],
  ["plotBars values string", () => plotBars(["a"], any(["1"])), 'plotBars: values[0] is the string "1", expected a number'],
  ["plotBars yRange", () => plotBars(["a"], [1], any({ yRange: [2, 1] })), "plotBars: option yRange must be [min, max] with finite min < max, got [2, 1]"],
  ["plotBars errors", () => plotBars(["a", "b"], [1, 2], { errors: [1] }), "plotBars: errors has 1 entries but labels has 2"],
  ["plotBars series", () => plotBars(["a", "b"], [{ name: "seed 1", values: [1] }]), 'plotBars: labels has 2 entries but series 0 ("seed 1") has 1'],
  ["plotBars reference", () => plotBars(["a"], [1], any({ referenceLine: { y: "0.5" } })), 'plotBars: referenceLine.y must be a finite number, got the string "0.5"'],
  ["plotLines empty", () => plotLines([1], []), "plotLines: series must be a non-empty array of { name, values }, got an empty array"],
  ["plotLines bare numbers", () => plotLines([1, 2], any([1, 2])), "plotLines: series 0 must be { name, values: number[] }, got 1"],
  ["plotLines band", () => plotLines([1, 2], [{ name: "a", values: [1, 2], band: { lower: [1], upper: [2, 3] } }]), 'plotLines: series 0 ("a") has a band of 1 lower and 2 upper values but x has 2'],
  ["plotLines own x", () => plotLines([1, 2], [{ name: "a", values: [1, 2], x: [1, 2, 3] }]), 'plotLines: series 0 ("a") has 2 values but its x has 3'],
  ["plotLines logX string", () => plotLines([1], [{ name: "a", values: [1] }], any({ logX: "true" })), 'plotLines: option logX must be true or false, got the string "true"'],
  ["plotLines x undefined", () => plotLines(any(undefined), [{ name: "a", values: [1] }]), "plotLines: x must be an array of numbers, got undefined"],
  ["plotAttentionMaps []", () => plotAttentionMaps([]), "plotAttentionMaps: maps must be a non-empty array of { title, weights, queryTokens, keyTokens }, got an empty array"],
  ["plotAttentionMaps NaN weight", () => plotAttentionMaps([{ title: "a", weights: [[0.5, NaN]], queryTokens: ["x"], keyTokens: ["y", "z"] }]), "plotAttentionMaps: maps[0].weights[0][1] is NaN, not a finite weight"],
  ["plotAttentionMaps too few key labels", () => plotAttentionMaps([{ title: "a", weights: [[1, 0]], queryTokens: ["x"], keyTokens: ["y"] }]), "plotAttentionMaps: maps[0].keyTokens has 1 labels but the map has 2 key columns"],
  ["plotHeadsOverTraining []", () => plotHeadsOverTraining([]), "plotHeadsOverTraining: snapshots must be a non-empty array of { step, weights } (e.g. train(...).snapshots), got an empty array"],
  ["plotHeadsOverTraining a trace", () => plotHeadsOverTraining(any(trace)), "plotHeadsOverTraining: snapshots must be a non-empty array of { step, weights } (e.g. train(...).snapshots), got an object"],
  ["plotHeadsOverTraining heads differ", () => plotHeadsOverTraining([snaps[0], { step: 5, weights: trace.weights.slice(0, 1) }]), "plotHeadsOverTraining: snapshot 1 (step 5) has 1 heads but snapshot 0 has 2"],
  ["plotHeadsOverTraining shape", () => plotHeadsOverTraining([snaps[0], { step: 5, weights: [trace.weights[0], [[1]]] }]), "plotHeadsOverTraining: snapshot 1 (step 5), weights[1] (head 2) is not 4×4 like snapshot 0's maps"],
  ["plotHeadsOverTraining step", () => plotHeadsOverTraining([{ step: NaN, weights: trace.weights }]), "plotHeadsOverTraining: snapshot 0 has step NaN; expected a finite number"],
  ["plotHeadsOverTraining active", () => plotHeadsOverTraining(snaps, { active: 2 }), "plotHeadsOverTraining: active is 2 but there are 2 snapshots (indices 0 … 1)"],
  ["plotHeadsOverTraining curve", () => plotHeadsOverTraining(snaps, { curves: [{ name: "loss", x: [0, 5], values: [1] }] }), 'plotHeadsOverTraining: curves[0] ("loss") needs x and values of the same length, got an array of 2 and an array of 1'],
  ["plotHeadsOverTraining heads", () => plotHeadsOverTraining(snaps, { heads: [2] }), "plotHeadsOverTraining: head index 2 does not exist (option heads); the trace has 2 heads"],
  ["plotHeadsOverTraining markStep", () => plotHeadsOverTraining(snaps, { curves: [{ name: "loss", x: [0, 5], values: [1, 0.5] }], markStep: { step: NaN, label: "fall" } }), "plotHeadsOverTraining: markStep must be { step: a finite number, label: a string }, got step NaN and label the string \"fall\""],
  ["plotHeadsOverTraining markStep alone", () => plotHeadsOverTraining(snaps, { markStep: { step: 3, label: "fall" } }), "plotHeadsOverTraining: markStep marks a step on the curves; pass curves too"],
];

describe("bad input to every plot builder gives an error naming what was passed", () => {
  for (const [name, call, message] of TABLE) {
    it(`${name}: ${message.slice(0, 70)}`, () => expect(call).toThrow(message));
  }
  it("the table covers every builder of mha-lab/plots (MiniLM's explorer builders are tested in test/minilm)", async () => {
    const api: Record<string, unknown> = await import("../../src/plots");
    const minilm = new Set<string>();
    for (const f of ["explorer", "attention-lines", "drilldown", "head-scatter"]) {
      try {
        Object.keys(await import(`../../src/plots/${f}`)).forEach((k) => minilm.add(k));
      } catch {
        // not there (yet)
      }
    }
    const builders = [...Object.keys(api), "plotHeadsOverTraining"].filter((k) => k.startsWith("plot") && !minilm.has(k));
    for (const b of builders) expect(TABLE.some(([n]) => n.startsWith(b + " ")), b).toBe(true);
  });
});

describe("labels stay data", () => {
  const evil = ["%{y}", "<b>b</b>", "$x$", "%{customdata[0]}"];
  it("tokens, titles, series names and mask titles never reach plotly as markup or template variables", () => {
    const figs = [
      plotHeads(trace, { queryTokens: evil, title: "%{x} <i>t</i>" }),
      plotHeadStages(trace, { queryTokens: evil }),
      plotMasks([{ title: "%{z} <b>m</b>", mask: [[false]] }]),
      plotLines([1], [{ name: "%{y} <b>s</b>", values: [1] }], { title: "%{x}", yTitle: "%{y}" }),
      plotBars(["%{y}"], [{ name: "%{customdata}", values: [1] }]),
      plotHeadScores([[1]], { rowLabels: ["%{z}"], valueName: "%{y}" }),
      plotHeadsOverTraining(snaps, { queryTokens: evil, curves: [{ name: "%{y}", x: [0], values: [1] }] }),
    ];
    for (const f of figs) {
      const json = JSON.stringify(f);
      expect(json).not.toMatch(/<b>|<i>|\$x\$/);
      // every %{ … } left is one of ours: a variable plotly fills from the data, never a user's text
      const vars = [...json.matchAll(/%\{([^}]*)\}/g)].map((m) => m[1]);
      for (const v of vars) expect(v).toMatch(/^(x|y|z|text|customdata(\[\d\])?)(:[.\d\w]+)?$/);
      // and none of the user's texts survived as a template
      const templates = f.data.map((t) => String((t as Obj).hovertemplate ?? ""));
      for (const t of templates) expect(t).not.toMatch(/%\{y\} <|%\{x\} &lt;/);
    }
    const lines = plotLines([1], [{ name: "%{y} <b>s</b>", values: [1] }]);
    expect(T(lines, 0).hovertemplate).toBe("&#37;{y} &lt;b&gt;s&lt;/b&gt;<br>x = %{x}<br>y = %{y:.4g}<extra></extra>");
  });
});

describe("long sequences degrade gracefully", () => {
  const n = 200;
  const long = MultiHeadAttention.random({ dModel: 8, numHeads: 1, seed: 3 }).forward(randMatrix(n, 8, rng(4)));
  const toks = Array.from({ length: n }, (_, i) => `token_number_${i}`);
  it("200 tokens, 1 head: an overview that fits THEME.maxWidth (positions on the axes, tokens in the hover), < 4 MB", () => {
    const f = plotHeads(long, { queryTokens: toks });
    expect(L(f).width).toBeLessThanOrEqual(THEME.maxWidth);
    expect(L(f).height).toBeLessThan(1000);
    expect(axis(f, "y", 0).title.text).toBe("query position");
    expect(axis(f, "x", 0).ticktext).toBeUndefined();
    const [x0, y0, x1, y1] = panelBox(f, 0);
    for (const side of [x1 - x0, y1 - y0]) expect(Math.abs(side - THEME.targetOverviewPx)).toBeLessThan(0.5); // 2 px per token
    expect(T(f, 0).customdata[5][7].slice(0, 2)).toEqual(["token_number_5", "token_number_7"]);
    expect(JSON.stringify(f).length).toBeLessThan(4e6);
  });
  it("200 tokens × 12 heads: refused before building, with what to do instead", () => {
    const wide = MultiHeadAttention.random({ dModel: 24, numHeads: 12, seed: 3 }).forward(randMatrix(n, 24, rng(4)));
    expect(() => plotHeads(wide as AttentionTrace, { queryTokens: toks })).toThrow(
      "plotHeads: 12 heads × 200×200 = 480,000 cells, more than one chart can hold (at most 50,000, about 4 MB of figure JSON); draw fewer heads (heads: [0, 1]) or a window of the tokens",
    );
    expect(() => plotHeads(wide as AttentionTrace, { queryTokens: toks, heads: [0] })).not.toThrow();
  });
  it("40 tokens are still labelled, 41 become an overview", () => {
    const at = (len: number) => MultiHeadAttention.random({ dModel: 8, numHeads: 1, seed: 3 }).forward(randMatrix(len, 8, rng(4)));
    expect(axis(plotHeads(at(40)), "y", 0).tickmode).toBe("array");
    expect(axis(plotHeads(at(41)), "y", 0).title.text).toBe("query position");
  });
});
