// Hand-written inputs for the figure snapshots (numbers chosen by hand, not computed): stable across math changes.
import { expect } from "vitest";
import { AttentionTrace, HeadTrace, MhaParams } from "../../../src/math/trace";
import { Figure } from "../../../src/plots/theme";

/** A 2-token, 1-head trace. */
const head: HeadTrace = {
  q: [[1, 0], [0, 1]],
  k: [[1, 0], [0, 1]],
  v: [[1, 2], [3, 4]],
  scores: [[1, 0], [0, 1]],
  scaledScores: [[0.707, 0], [0, 0.707]],
  maskedScores: [[0.707, -Infinity], [0, 0.707]],
  weights: [[1, 0], [0.33, 0.67]],
  output: [[1, 2], [2.34, 3.34]],
};
export const trace: AttentionTrace = {
  dModel: 2, numHeads: 1, dK: 2, dV: 2,
  query: [[1, 0], [0, 1]], key: [[1, 0], [0, 1]], value: [[1, 2], [3, 4]],
  mask: [[0, -Infinity], [0, 0]], fullyMaskedRows: [],
  heads: [head], weights: [head.weights], concat: head.output, contributions: [head.output], output: head.output,
};
export const params: MhaParams = {
  wQ: [[1, 0], [0, 1]], wK: [[0.5, 0], [0, 0.5]], wV: [[1, 2], [3, 4]], wO: [[1, 0], [0, -1]],
  bQ: [0, 0], bK: [0, 0], bV: [0, 0], bO: [0, 0],
};

/**
 * Compare a figure with its own snapshot file test/plots/snapshots/__snapshots__/<name>.json (one file per
 * figure, plain JSON, so a change in layout, colours, labels or escaping is a reviewable diff).
 * Update deliberately with `npx vitest run test/plots/snapshots -u`.
 */
export async function expectFigureSnapshot(name: string, f: Figure): Promise<void> {
  await expect(JSON.stringify(f, null, 1) + "\n").toMatchFileSnapshot(`./__snapshots__/${name}.json`);
}
