/**
 * Seeded toy data for the course: token embeddings and Gaussian matrices that are the same on every run.
 *
 * Dependencies: mulberry32.
 */
import { mulberry32 } from "../math/random";
import type { Matrix } from "../math/trace";

/** The running example of the course: L = 5 tokens. */
export const RUNNING_TOKENS: string[] = ["He", "gave", "her", "the", "ball"];

/** A 32-bit FNV-1a hash of a string (deterministic, no dependencies). */
export function _hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * A seeded standard-normal generator (mulberry32 + Box–Muller).
 *   z = √(−2 ln u₁)·cos(2π u₂),  u₁, u₂ ~ U(0, 1)
 * @param seed any safe integer
 * @return a function returning the next N(0, 1) number
 * @example gaussian(0)() === gaussian(0)() // returns true  (same seed, same first number)
 */
export function gaussian(seed: number): () => number {
  const rand = mulberry32(seed);
  return () => {
    const u1 = 1 - rand(); // (0, 1], so log never sees 0
    const u2 = rand();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  };
}

/**
 * A (rows, cols) matrix of independent N(0, 1) numbers from a seeded generator.
 * @param rows number of rows
 * @param cols number of columns
 * @param seed any safe integer (default 0)
 * @return (rows, cols)
 * @example randn(2, 3, 7).length // returns 2
 */
export function randn(rows: number, cols: number, seed = 0): Matrix {
  for (const [name, n] of [["rows", rows], ["cols", cols]] as const) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`randn: ${name} must be a positive integer, got ${n}`);
  }
  const g = gaussian(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => g())); // (rows, cols)
}

/**
 * Seeded toy embeddings X for a list of tokens: one row per token, N(0, 1) numbers rounded to one
 * decimal so they print and can be multiplied by hand. The row depends only on (token, seed, dModel),
 * so a repeated token gets the same row.
 *   X[i] = round₁(z(token_i, seed)),  z ~ N(0, 1)^dModel
 * @param tokens (L,) e.g. RUNNING_TOKENS
 * @param dModel width of each embedding
 * @param seed any safe integer (default 0)
 * @return (L, dModel)
 * @example toyEmbeddings(["He", "gave"], 8, 0).map((r) => r.length) // returns [8, 8]
 */
export function toyEmbeddings(tokens: string[], dModel: number, seed = 0): Matrix {
  if (!Array.isArray(tokens) || tokens.length === 0) throw new Error("toyEmbeddings: tokens must be a non-empty array of strings");
  if (!Number.isInteger(dModel) || dModel < 1) throw new Error(`toyEmbeddings: dModel must be a positive integer, got ${dModel}`);
  if (!Number.isSafeInteger(seed)) throw new Error(`toyEmbeddings: seed must be an integer, got ${seed}`);
  return tokens.map((t) => {
    const g = gaussian((_hashString(t) ^ Math.imul(seed, 0x9e3779b1)) >>> 0);
    return Array.from({ length: dModel }, () => Math.round(g() * 10) / 10 + 0); // (dModel,); + 0 turns -0 into 0
  }); // (L, dModel)
}
