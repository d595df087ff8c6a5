import { it } from "vitest";
import { plotBars } from "../../../src/plots";
import { expectFigureSnapshot } from "./_fixture";

it("plotBars of two heads", async () => {
  await expectFigureSnapshot("bars", plotBars(["head 1", "head 2"], [0.5, 0.25], { title: "accuracy drop when the head is removed", yTitle: "drop" }));
});
