import { it } from "vitest";
import { plotHeadScores } from "../../../src/plots";
import { expectFigureSnapshot } from "./_fixture";

it("plotHeadScores of a 2-layer × 3-head grid", async () => {
  await expectFigureSnapshot("head-scores", plotHeadScores([[0, 0.5, 1], [0.25, 0.75, 0.125]], { title: "score per head" }));
});
