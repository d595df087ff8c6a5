import { it } from "vitest";
import { plotDataFlow } from "../../../src/plots";
import { expectFigureSnapshot } from "./_fixture";

it("plotDataFlow of L=4, dModel=8, h=2", async () => {
  await expectFigureSnapshot("data-flow", plotDataFlow({ L: 4, dModel: 8, numHeads: 2 }));
});
