import { it } from "vitest";
import { plotHeadStages } from "../../../src/plots";
import { expectFigureSnapshot, trace } from "./_fixture";

it("plotHeadStages of a 2-token, 1-head trace", async () => {
  await expectFigureSnapshot("head-stages", plotHeadStages(trace, { queryTokens: ["x", "y"] }));
});
