import { describe, expect, it } from "vitest";
import { plotHeadsOverTraining } from "../../src/plots/heads-over-training";
import { THEME } from "../../src/plots/theme";
import { rng } from "./_trace";
import { L, Obj, T, axis } from "./_helpers";

/** n snapshots of h heads of random row-stochastic (L, L) maps, step = 100·j. */
function snapshots(n: number, h: number, len: number, seed = 1) {
  const next = rng(seed);
  return Array.from({ length: n }, (_, j) => ({
    step: 100 * j,
    weights: Array.from({ length: h }, () =>
      Array.from({ length: len }, () => {
        const row = Array.from({ length: len }, () => Math.exp(3 * next()));
        const s = row.reduce((a, b) => a + b, 0);
        return row.map((v) => v / s);
      }),
    ),
  }));
}
const toks = ["a", "b", "c", "d", "e"];

describe("plotHeadsOverTraining", () => {
  const snaps = snapshots(4, 3, 5);
  const f = plotHeadsOverTraining(snaps, { queryTokens: toks });
  const slider = L(f).sliders[0] as Obj;

  it("draws one heatmap per head, labelled head 1 … head h, showing the last snapshot first", () => {
    expect(f.data.map((t) => t.type)).toEqual(["heatmap", "heatmap", "heatmap"]);
    expect((L(f).annotations as Obj[]).map((a) => a.text)).toEqual(["head 1", "head 2", "head 3"]);
    expect(slider.active).toBe(3);
    T(f, 2).z.forEach((row: number[], r: number) => row.forEach((v, c) => expect(v).toBeCloseTo(snaps[3].weights[2][r][c], 4)));
    expect(axis(f, "x", 0).title.text).toBe("key");
    expect(axis(f, "y", 0).title.text).toBe("query");
  });

  it("one slider step per snapshot, method update: every head's z (4 decimals) and the title, no frames", () => {
    expect(f).not.toHaveProperty("frames");
    expect(slider.steps.length).toBe(4);
    slider.steps.forEach((s: Obj, j: number) => {
      expect(s.method).toBe("update");
      const [data, layout, traces] = s.args;
      expect(traces).toEqual([0, 1, 2]);
      expect(data.z.length).toBe(3);
      for (let i = 0; i < 3; i++) {
        data.z[i].forEach((row: number[], r: number) => row.forEach((v, c) => {
          expect(Math.abs(v - snaps[j].weights[i][r][c])).toBeLessThanOrEqual(0.5e-4 + 1e-12);
        }));
      }
      expect(layout["title.text"]).toBe(`attention of every head during training: step ${100 * j}`);
    });
    expect(slider.steps.map((s: Obj) => s.label)).toEqual(["0", "100", "200", "300"]);
    // the slider sits below the plot area, in a bottom margin reserved for it
    expect(slider.yanchor).toBe("top");
    expect(L(f).margin.b).toBeGreaterThanOrEqual(90);
  });

  it("applying a step's update to the figure gives the figure of that snapshot (active = j)", () => {
    for (let j = 0; j < 4; j++) {
      const g = plotHeadsOverTraining(snaps, { queryTokens: toks, active: j });
      const [data] = slider.steps[j].args;
      expect(g.data.map((t) => t.z)).toEqual(data.z);
      expect((L(g).title as Obj).text).toBe(slider.steps[j].args[1]["title.text"]);
    }
  });

  it("with curves: a loss chart under the grid, a marker that each step moves, heatmaps keep their pixels", () => {
    const loss = { name: "loss", x: [0, 50, 100, 150, 200, 250, 300], values: [2, 1.5, 1.2, 1, 0.8, 0.7, 0.6] };
    const acc = { name: "accuracy", x: [0, 100, 200, 300], values: [0.1, 0.5, 0.8, 0.9], right: true, dash: true };
    const g = plotHeadsOverTraining(snaps, { queryTokens: toks, curves: [loss, acc] });
    const l = L(g);
    expect(g.data.length).toBe(5);
    expect(T(g, 3)).toMatchObject({ type: "scatter", name: "loss", xaxis: "x4", yaxis: "y4" });
    expect(T(g, 4)).toMatchObject({ name: "accuracy", yaxis: "y5" });
    expect(l.yaxis5).toMatchObject({ overlaying: "y4", side: "right" });
    expect(l.width).toBeLessThanOrEqual(THEME.maxWidth);
    // heatmap panels are the same size in pixels as without the curves
    const px = (fig: typeof f, i: number) => {
      const m = L(fig).margin;
      const w = L(fig).width - m.l - m.r;
      const h = L(fig).height - m.t - m.b;
      const xd = axis(fig, "x", i).domain;
      const yd = axis(fig, "y", i).domain;
      return [(xd[1] - xd[0]) * w, (yd[1] - yd[0]) * h];
    };
    for (let i = 0; i < 3; i++) px(g, i).forEach((v, k) => expect(v).toBeCloseTo(px(f, i)[k], 6));
    // the grid is above the chart
    expect(Math.min(...[0, 1, 2].map((i) => axis(g, "y", i).domain[0]))).toBeGreaterThan(l.yaxis4.domain[1]);
    const s1 = (l.sliders[0] as Obj).steps[1].args[1];
    const line = (l.shapes as Obj[]).findIndex((s) => s.type === "line");
    expect(s1[`shapes[${line}].x0`]).toBe(100);
    const dots = (l.annotations as Obj[]).map((a, i) => [a.text, i]).filter(([t]) => t === "●").map(([, i]) => i);
    expect(dots.length).toBe(2);
    expect([s1[`annotations[${dots[0]}].x`], s1[`annotations[${dots[0]}].y`]]).toEqual([100, 1.2]);
    expect([s1[`annotations[${dots[1]}].x`], s1[`annotations[${dots[1]}].y`]]).toEqual([100, 0.5]);
    expect(s1["title.text"]).toBe("attention of every head during training: step 100, loss 1.200, accuracy 0.500");
  });

  it("markStep: a fixed dashed line with its label on the curves, not a curve (no legend entry, nothing in the title); the step marker's indices are unchanged", () => {
    const loss = { name: "loss", x: [0, 100, 200, 300], values: [2, 1.5, 0.4, 0.3] };
    const plain = plotHeadsOverTraining(snaps, { curves: [loss] });
    const g = plotHeadsOverTraining(snaps, { curves: [loss], markStep: { step: 200, label: "steepest fall" } });
    expect(g.data.length).toBe(plain.data.length);
    const shapes = L(g).shapes as Obj[];
    expect(shapes.length).toBe((L(plain).shapes as Obj[]).length + 1);
    expect(shapes.at(-1)).toMatchObject({ type: "line", xref: "x4", x0: 200, x1: 200, line: { dash: "dash" } });
    expect((L(g).annotations as Obj[]).at(-1)).toMatchObject({ x: 200, xref: "x4", text: "steepest fall" });
    const steps = (L(g).sliders[0] as Obj).steps as Obj[];
    expect(steps.map((st) => st.args[1])).toEqual(((L(plain).sliders[0] as Obj).steps as Obj[]).map((st) => st.args[1]));
    expect(steps.every((st) => !String(st.args[1]["title.text"]).includes("steepest"))).toBe(true);
  });

  it("labels stay data: tokens, title and curve names are escaped; % in a name is not a template", () => {
    const g = plotHeadsOverTraining(snaps, {
      queryTokens: ["<b>", "%{z}", "$x$", "&", "e"],
      title: "<i>run</i> %{x}",
      curves: [{ name: "%{y} loss", x: [0, 300], values: [1, 0.5] }],
    });
    const json = JSON.stringify(g);
    expect(json).not.toContain("<b>");
    expect(json).not.toContain("<i>");
    expect(T(g, 3).name).toBe("&#37;{y} loss");
    expect(T(g, 3).hovertemplate).toMatch(/^&#37;\{y\} loss<br>step %\{x\}/);
    expect(axis(g, "y", 0).ticktext).toEqual(["&lt;b&gt;", "&#37;{z}", "&#36;x&#36;", "&amp;", "e"]);
    expect((L(g).sliders[0] as Obj).steps[0].args[1]["title.text"]).toContain("&lt;i&gt;run&lt;/i&gt; &#37;{x}");
  });

  it("heads picks and orders heads (0-based), labelled by their 1-based names", () => {
    const g = plotHeadsOverTraining(snaps, { heads: [2, 0] });
    expect((L(g).annotations as Obj[]).map((a) => a.text)).toEqual(["head 3", "head 1"]);
    const z0 = (L(g).sliders[0] as Obj).steps[0].args[0].z[0] as number[][];
    z0.forEach((row, r) => row.forEach((v, c) => expect(v).toBeCloseTo(snaps[0].weights[2][r][c], 4)));
    expect((L(g).sliders[0] as Obj).steps[0].args[2]).toEqual([0, 1]);
  });

  it("many snapshots: at most ~10 slider labels, every step still there", () => {
    const g = plotHeadsOverTraining(snapshots(41, 1, 3));
    const steps = (L(g).sliders[0] as Obj).steps as Obj[];
    expect(steps.length).toBe(41);
    expect(steps.filter((s) => s.label !== "").length).toBeLessThanOrEqual(11);
    expect(steps[40].label).toBe("4000");
  });
});
