import { describe, expect, it } from "vitest";
import { glorotUniform, mulberry32 } from "../../src/math/random";

describe("mulberry32 / glorotUniform", () => {
  it("mulberry32 is deterministic and matches its reference output", () => {
    // first outputs for seeds 42 and 0, computed independently in Python from the C definition
    // (z += 0x6D2B79F5; z = (z ^ z>>15)·(z|1); z ^= z + (z ^ z>>7)·(z|61); z ^ z>>14, all mod 2^32, / 2^32)
    expect(mulberry32(42)()).toBe(0.6011037519201636);
    expect(mulberry32(0)()).toBe(0.26642920868471265);
    const a = mulberry32(7);
    const b = mulberry32(7);
    for (let i = 0; i < 100; i++) expect(a()).toBe(b());
  });
  it("outputs lie in [0, 1) with mean ≈ 1/2", () => {
    const r = mulberry32(1);
    let sum = 0;
    for (let i = 0; i < 10000; i++) {
      const x = r();
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
    }
    expect(Math.abs(sum / 10000 - 0.5)).toBeLessThan(0.01);
  });
  it("glorotUniform stays within ±√(6/(fanIn+fanOut)) and fills the bound", () => {
    const w = glorotUniform(30, 20, mulberry32(3));
    const a = Math.sqrt(6 / 50);
    expect(w).toHaveLength(30);
    expect(w[0]).toHaveLength(20);
    const flat = w.flat();
    expect(Math.max(...flat.map(Math.abs))).toBeLessThanOrEqual(a);
    expect(Math.max(...flat)).toBeGreaterThan(0.9 * a);
    expect(Math.min(...flat)).toBeLessThan(-0.9 * a);
  });
  it("rejects bad seeds and sizes", () => {
    expect(() => mulberry32(1.5)).toThrow("seed must be an integer, got 1.5");
    expect(() => glorotUniform(0, 2, mulberry32(0))).toThrow("fanIn must be a positive integer, got 0");
  });
});
