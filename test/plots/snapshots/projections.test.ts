import { it } from "vitest";
import { plotProjections } from "../../../src/plots";
import { expectFigureSnapshot, trace, params } from "./_fixture";

it("plotProjections of a 2-token, 1-head trace", async () => {
  await expectFigureSnapshot("projections", plotProjections(trace, params, { queryTokens: ["x", "y"] }));
});
