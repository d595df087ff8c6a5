import { it } from "vitest";
import { plotHeadContributions } from "../../../src/plots";
import { expectFigureSnapshot, trace } from "./_fixture";

it("plotHeadContributions of a 2-token, 1-head trace", async () => {
  await expectFigureSnapshot("head-contributions", plotHeadContributions(trace, { queryTokens: ["x", "y"] }));
});
