/**
 * A tiny seeded PRNG and Xavier/Glorot initialisation, so `MultiHeadAttention.random({ seed })`
 * gives the same weights on every run and every machine (only 32-bit integer ops and one division).
 *
 * Dependencies: _checkSize (the size budget).
 */
import type { Matrix } from "./types";
import { _describe } from "./_describe";
import { _checkSize, _nestedBytes } from "./_validate";

/**
 * mulberry32 (Tommy Ettinger, public domain): a 32-bit state PRNG with uniform output in [0, 1).
 * The seed is taken modulo 2^32.
 * @param seed any safe integer
 * @return a function returning the next number in [0, 1)
 * @example mulberry32(42)() // returns 0.6011037519201636
 */
export function mulberry32(seed: number): () => number {
  if (!Number.isSafeInteger(seed)) throw new Error(`seed must be an integer, got ${_describe(seed)}`);
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A (fanIn, fanOut) weight drawn from the Xavier/Glorot uniform distribution, row by row.
 *   w_ij ~ U(−a, a),  a = √(6 / (fanIn + fanOut))
 * @param fanIn rows (inputs)
 * @param fanOut columns (outputs)
 * @param rand a uniform [0, 1) generator such as mulberry32(seed)
 * @return (fanIn, fanOut)
 * @example glorotUniform(2, 2, mulberry32(0)).length // returns 2
 */
export function glorotUniform(fanIn: number, fanOut: number, rand: () => number): Matrix {
  if (!Number.isInteger(fanIn) || fanIn < 1) throw new Error(`fanIn must be a positive integer, got ${fanIn}`);
  if (!Number.isInteger(fanOut) || fanOut < 1) throw new Error(`fanOut must be a positive integer, got ${fanOut}`);
  _checkSize(`glorotUniform(${fanIn}, ${fanOut})`, _nestedBytes(fanIn, fanOut), "use smaller sizes");
  const a = Math.sqrt(6 / (fanIn + fanOut));
  return Array.from({ length: fanIn }, () => Array.from({ length: fanOut }, () => (2 * rand() - 1) * a));
}
