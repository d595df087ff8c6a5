import { it } from "vitest";
import { plotCostCurve } from "../../../src/plots";
import { expectFigureSnapshot } from "./_fixture";

it("plotCostCurve of three points", async () => {
  await expectFigureSnapshot("cost-curve", plotCostCurve([1, 2, 4], [{ name: "FLOPs", values: [1, 4, 16] }]));
});
