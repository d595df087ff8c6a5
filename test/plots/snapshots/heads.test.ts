import { it } from "vitest";
import { plotHeads } from "../../../src/plots";
import { expectFigureSnapshot, trace } from "./_fixture";

it("plotHeads of a 2-token, 1-head trace with markup-like tokens", async () => {
  await expectFigureSnapshot("heads", plotHeads(trace, { queryTokens: ["<b>hi</b>", "a&b"] }));
});
