import { it } from "vitest";
import { plotAdditiveVsDot } from "../../../src/plots";
import { expectFigureSnapshot, trace } from "./_fixture";

it("plotAdditiveVsDot of two 2×2 results", async () => {
  await expectFigureSnapshot("additive-vs-dot", plotAdditiveVsDot(trace.heads[0], { scores: [[0.5, -0.5], [0, 1]], weights: [[0.73, 0.27], [0.27, 0.73]] }, { queryTokens: ["x", "y"] }));
});
