import { it } from "vitest";
import { plotMasks } from "../../../src/plots";
import { expectFigureSnapshot } from "./_fixture";

it("plotMasks of a 3×3 causal mask", async () => {
  await expectFigureSnapshot("masks", plotMasks([{ title: "causal", mask: [[false, true, true], [false, false, true], [false, false, false]] }]));
});
