/**
 * Heads differ: measured on weights computed by OUR MultiHeadAttention from the real MiniLM weights.
 * Expected numbers were first measured independently in Python on the torch model's own attentions
 * (L0/h2 previous = 1.00; L1/h8 next = 0.58 on "He gave her the ball"; L5/h8 "her"→"he" = 0.75).
 */
import { describe, expect, it } from "vitest";
import { MultiHeadAttention } from "../../src";
import { loadMiniLM } from "../../src/minilm/fixture";
import { headPatternScores, tokenAttention } from "../../src/minilm/head-patterns";

// mathjs forward passes at dModel 384 take about a second each on a busy 2-core machine: memoise, allow time.
const TIMEOUT = 120_000;
const _mhas = new Map<number, MultiHeadAttention>();
const traceOf = (layer: number, sentence: number) => {
  const m = loadMiniLM(layer);
  if (!_mhas.has(layer)) _mhas.set(layer, MultiHeadAttention.fromTorchStateDict(m.stateDict, { numHeads: 12 }));
  const s = m.sentences[sentence];
  return { tokens: s.tokens, weights: _mhas.get(layer)!.forward(s.hiddenStates).weights };
};
const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs));

describe("real MiniLM heads, computed by our module, do different things", () => {
  it("layer 0 head 2 is a previous-token head on every sentence, and no other layer-0 head comes close", () => {
    for (let i = 0; i < 4; i++) {
      const { tokens, weights } = traceOf(0, i);
      const prev = headPatternScores(weights, tokens).map((s) => s.previous);
      expect(argmax(prev)).toBe(2);
      expect(prev[2]).toBeGreaterThan(0.99);
      expect(Math.max(...prev.filter((_, h) => h !== 2))).toBeLessThan(0.4);
    }
  }, TIMEOUT);

  it("layer 1 head 8 is the layer's next-token head", () => {
    const { tokens, weights } = traceOf(1, 0);
    const next = headPatternScores(weights, tokens).map((s) => s.next);
    expect(argmax(next)).toBe(8);
    expect(next[8]).toBeCloseTo(0.58, 2);
  }, TIMEOUT);

  it('in layer 5, head 8 sends "her" to "he" and head 11 sends "it" to "cat"', () => {
    const a = traceOf(5, 0);
    const herHe = tokenAttention(a.weights, a.tokens, "her", "he");
    expect(argmax(herHe)).toBe(8);
    expect(herHe[8]).toBeCloseTo(0.75, 2);
    const b = traceOf(5, 1);
    const itCat = tokenAttention(b.weights, b.tokens, "it", "cat");
    expect(argmax(itCat)).toBe(11);
    expect(itCat[11]).toBeGreaterThan(0.7);
  }, TIMEOUT);
});
