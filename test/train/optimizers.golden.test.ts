// adam() and sgd() against torch.optim.Adam / SGD (float64, foreach=False), step for step: the same seeded
// gradients fed to both, the parameters compared after every step. Fixture: scripts/golden_optim.py.
import { describe, expect, it } from "vitest";
import * as fs from "fs";
import * as path from "path";
import { adam, sgd } from "../../src/train";

interface Case {
  name: string;
  kind: "adam" | "sgd";
  options: { lr: number; beta1?: number; beta2?: number; eps?: number; momentum?: number };
  theta0: number[];
  grads: number[][];
  thetas: number[][];
}
const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "optimizers.json"), "utf8")) as { torch_version: string; cases: Case[] };

describe(`the optimisers step for step against torch.optim (PyTorch ${fixture.torch_version}, float64)`, () => {
  it("the fixture has Adam and SGD cases, each with many steps", () => {
    expect(fixture.cases.map((c) => c.kind).sort()).toEqual(["adam", "adam", "adam", "sgd", "sgd"]);
    for (const c of fixture.cases) expect(c.thetas.length).toBeGreaterThanOrEqual(20);
  });

  for (const c of fixture.cases) {
    it(`${c.name}: every parameter after every step within 1e-13 (relative to max(1, |θ|)) of torch's`, () => {
      const opt = c.kind === "adam" ? adam(c.options) : sgd(c.options);
      const theta = Float64Array.from(c.theta0);
      let worst = 0;
      c.grads.forEach((g, t) => {
        opt.step(theta, Float64Array.from(g));
        c.thetas[t].forEach((want, i) => {
          worst = Math.max(worst, Math.abs(theta[i] - want) / Math.max(1, Math.abs(want)));
        });
      });
      expect(worst).toBeLessThan(1e-13);
      // and the steps moved the parameters (a no-op optimiser would fail above, not here)
      expect(Math.max(...c.thetas.at(-1)!.map((v, i) => Math.abs(v - c.theta0[i])))).toBeGreaterThan(1e-3);
    });
  }
});
