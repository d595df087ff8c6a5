import { describe, expect, it } from "vitest";
import "../../src/math/fast"; // the fast kernel that encode uses by default
import { hasMiniLMFiles } from "../../src/minilm/files";
import { loadMiniLMModel } from "../../src/minilm/model";
import { embeddingWithHeadMask, maskWithout, pruningCurve } from "../../src/syntax/pruning";
import { headPeak } from "../../src/syntax/head-peak";

describe.skipIf(!hasMiniLMFiles())("pruning all-MiniLM-L6-v2 (needs the model package)", () => {
  const model = loadMiniLMModel();
  const enc = model.encode("The tall man opened the heavy door.");

  it("embeddingWithHeadMask, starting from H_l, equals encode with the same head mask, bit for bit", () => {
    const mask = maskWithout(model, [{ layer: 2, head: 4 }, { layer: 5, head: 0 }]);
    expect(embeddingWithHeadMask(model, enc, mask)).toEqual(model.encode(enc.text, { headMask: mask }).embedding);
    expect(embeddingWithHeadMask(model, enc, maskWithout(model, []))).toEqual(enc.embedding);
  });

  it("pruningCurve is 1 with nothing removed and falls when every head is removed", () => {
    const all = Array.from({ length: 72 }, (_, k) => ({ layer: Math.floor(k / 12), head: k % 12 }));
    const [none, every] = pruningCurve(model, [enc], all, [0, 72]);
    expect(none).toBeCloseTo(1, 14); // cos of a unit vector with itself
    expect(every).toBeLessThan(0.9);
  });

  it("says which head or count is out of range", () => {
    expect(() => maskWithout(model, [{ layer: 6, head: 0 }])).toThrow("no head L6·H1 (layer 6, head index 0) in a model of 6 layers × 12 heads");
    expect(() => pruningCurve(model, [enc], [], [1])).toThrow("counts must be integers from 0 to 0 (the heads in order), got 1");
    expect(() => embeddingWithHeadMask(model, enc, [[1]])).toThrow("headMask must be (6, 12): one row of 12 per layer, got 1 rows");
  });
});

describe("headPeak(wordAtts)", () => {
  it("averages, over words, the largest weight on another word (self left out)", () => {
    expect(headPeak([[[[[0.9, 0.1], [0.4, 0.6]]]]])).toEqual([[0.25]]);
    expect(() => headPeak([])).toThrow("headPeak needs the word attention of at least one sentence");
  });
});

describe.skipIf(!hasMiniLMFiles())("headImportance(model, encodings, layers)", () => {
  it("is 1 − cos(e, e without the head), computed another way with encode's head mask", async () => {
    const { loadMiniLMModel } = await import("../../src/minilm/model");
    const { headImportance, maskWithout } = await import("../../src/syntax/pruning");
    const model = loadMiniLMModel();
    const enc = model.encode("She has finished her homework.");
    const [row] = headImportance(model, [enc], [4]);
    const e = model.encode(enc.text, { headMask: maskWithout(model, [{ layer: 4, head: 7 }]) }).embedding;
    expect(row[7]).toBeCloseTo(1 - e.reduce((s, v, k) => s + v * enc.embedding[k], 0), 14);
    expect(() => headImportance(model, [enc], [6])).toThrow("headImportance: layer 6 does not exist (layers 0 … 5)");
  });
});

describe("randomHeadOrder(model, seed)", () => {
  it("lists every head once, in an order that depends on the seed", async () => {
    const { randomHeadOrder } = await import("../../src/syntax/pruning");
    const m = { config: { numLayers: 6, numHeads: 12 }, weights: { layers: [] } };
    const a = randomHeadOrder(m, 1), b = randomHeadOrder(m, 2);
    expect(new Set(a.map((r) => r.layer * 12 + r.head)).size).toBe(72);
    expect(a).not.toEqual(b);
    expect(randomHeadOrder(m, 1)).toEqual(a);
  });
});
