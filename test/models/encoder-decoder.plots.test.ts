/**
 * plotAttentionMaps (src/plots/attention-maps.ts), the figure of the encoder–decoder notebook: maps of different
 * shapes in one figure, each with its own labels, and errors naming the map and both sizes.
 */
import { describe, expect, it } from "vitest";
import { EncoderDecoder } from "../../src/models";
import { plotAttentionMaps } from "../../src/plots";

describe("plotAttentionMaps", () => {
  it("draws the three roles of a model, each panel with its own shape and labels", () => {
    const m = EncoderDecoder.random({ sourceVocab: 6, targetVocab: 7, sourceLength: 4, targetLength: 5, dModel: 8, numHeads: 2 });
    const t = m.forward([3, 4, 5], [1, 3, 6, 2]);
    const src = ["a", "b", "<c>"], tgt = ["<s>", "x", "y", "</s>"];
    const fig = plotAttentionMaps([
      { title: "encoder", weights: t.attentions.encoder[0][0], queryTokens: src, keyTokens: src },
      { title: "decoder", weights: t.attentions.decoder[0][0], queryTokens: tgt, keyTokens: tgt },
      { title: "cross", weights: t.attentions.cross[0][0], queryTokens: tgt, keyTokens: src },
    ]);
    const data = fig.data as { z: number[][]; customdata: string[][][] }[];
    expect(data.map((d) => [d.z.length, d.z[0].length])).toEqual([[3, 3], [4, 4], [4, 3]]);
    expect(data[2].customdata[0][2]).toEqual(["&lt;s&gt;", "&lt;c&gt;"]); // hover labels escaped
    expect(fig.layout.height).toBeGreaterThan(0);
  });

  it.each([
    ["labels that do not fit", [{ title: "a", weights: [[1, 0]], queryTokens: ["x"], keyTokens: ["y"] }], "plotAttentionMaps: maps[0].keyTokens has 1 labels but the map has 2 key columns"],
    ["a ragged map", [{ title: "a", weights: [[1, 0], [1]], queryTokens: ["x", "y"], keyTokens: ["y", "z"] }], "plotAttentionMaps: maps[0].weights row 1 has 1 entries but row 0 has 2"],
    ["a NaN weight", [{ title: "a", weights: [[NaN]], queryTokens: ["x"], keyTokens: ["y"] }], "plotAttentionMaps: maps[0].weights[0][0] is NaN, not a finite weight"],
    ["no maps", [], "plotAttentionMaps: maps must be a non-empty array"],
  ])("%s: a clear error", (_, maps, text) => {
    expect(() => plotAttentionMaps(maps as never)).toThrow(text);
  });
});
