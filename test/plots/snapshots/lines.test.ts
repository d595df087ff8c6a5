import { it } from "vitest";
import { plotLines } from "../../../src/plots";
import { expectFigureSnapshot } from "./_fixture";

it("plotLines with a band, a dashed series and a gap", async () => {
  await expectFigureSnapshot("lines", plotLines([1, 2, 3], [{ name: "train %{y}", values: [3, 2, 1], band: { lower: [2.5, 1.5, 0.5], upper: [3.5, 2.5, 1.5] } }, { name: "validation", values: [3, 2.5, NaN], dash: true }], { title: "loss", xTitle: "step", yTitle: "loss", xName: "step" }));
});
