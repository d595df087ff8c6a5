import { it } from "vitest";
import { plotHeadsOverTraining } from "../../../src/plots/heads-over-training";
import { expectFigureSnapshot } from "./_fixture";

it("plotHeadsOverTraining of 2 snapshots × 1 head, with a loss curve", async () => {
  const snaps = [
    { step: 0, weights: [[[0.5, 0.5], [0.5, 0.5]]] },
    { step: 10, weights: [[[1, 0], [0.25, 0.75]]] },
  ];
  await expectFigureSnapshot("heads-over-training", plotHeadsOverTraining(snaps, {
    queryTokens: ["x", "y"],
    curves: [{ name: "loss", x: [0, 5, 10], values: [1, 0.6, 0.4] }],
  }));
});
