import { it } from "vitest";
import { plotOutputProjection } from "../../../src/plots";
import { expectFigureSnapshot, trace, params } from "./_fixture";

it("plotOutputProjection of a 2-token, 1-head trace", async () => {
  await expectFigureSnapshot("output-projection", plotOutputProjection(trace, params.wO, { queryTokens: ["x", "y"] }));
});
