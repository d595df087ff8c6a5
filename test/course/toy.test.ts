import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gaussian, randn, RUNNING_TOKENS, toyEmbeddings } from "../../src/course/toy";
import { mean, variance } from "../../src/course/stats";

describe("toyEmbeddings(tokens, dModel, seed)", () => {
  it("gives (L, dModel) numbers with one decimal, the same on every call", () => {
    const x = toyEmbeddings(RUNNING_TOKENS, 8, 0);
    expect(x.length).toBe(5);
    x.forEach((row) => {
      expect(row.length).toBe(8);
      row.forEach((v) => expect(Math.abs(v * 10 - Math.round(v * 10))).toBeLessThan(1e-9));
    });
    expect(toyEmbeddings(RUNNING_TOKENS, 8, 0)).toEqual(x);
  });
  it("gives a repeated token the same row, and different tokens or seeds different rows", () => {
    const x = toyEmbeddings(["the", "ball", "the"], 6, 3);
    expect(x[2]).toEqual(x[0]);
    expect(x[1]).not.toEqual(x[0]);
    expect(toyEmbeddings(["the"], 6, 4)[0]).not.toEqual(x[0]);
  });
  it("rejects bad sizes with the argument's name", () => {
    expect(() => toyEmbeddings([], 8)).toThrow("toyEmbeddings: tokens must be a non-empty array of strings");
    expect(() => toyEmbeddings(["a"], 0)).toThrow("toyEmbeddings: dModel must be a positive integer, got 0");
  });
});

describe("gaussian(seed) / randn(rows, cols, seed)", () => {
  it("is seeded: same seed, same numbers; different seed, different numbers", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (seed) => {
      expect(randn(2, 3, seed)).toEqual(randn(2, 3, seed));
      expect(randn(2, 3, seed)).not.toEqual(randn(2, 3, seed + 1));
    }), { numRuns: 20 });
  });
  it("has mean ≈ 0 and variance ≈ 1 over 20000 draws (5 standard errors)", () => {
    const g = gaussian(123);
    const xs = Array.from({ length: 20000 }, g);
    expect(Math.abs(mean(xs))).toBeLessThan(5 / Math.sqrt(20000)); // se of the mean = 1/√n
    expect(Math.abs(variance(xs) - 1)).toBeLessThan(5 * Math.sqrt(2 / 20000)); // se of the variance ≈ √(2/n)
  });
  it("rejects a bad size", () => {
    expect(() => randn(0, 2)).toThrow("randn: rows must be a positive integer, got 0");
  });
});
