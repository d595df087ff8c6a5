/**
 * Position vectors for the tiny model: the fixed sinusoids of Vaswani et al. (2017, §3.5).
 * (Learned positions are simply a trainable (L, dModel) matrix in TinyModel.)
 *
 * Dependencies: none.
 */
import { _describe } from "../math/_describe";
import type { Matrix } from "../math/trace";
import { _checkBytes } from "./_check";

/**
 * The sinusoidal position encodings.
 *   PE(pos, 2i) = sin(pos / 10000^(2i/dModel)),   PE(pos, 2i+1) = cos(pos / 10000^(2i/dModel))
 * @param length number of positions L
 * @param dModel width
 * @return (L, dModel)
 * @example sinusoidalPositions(2, 2) // returns [[0, 1], [Math.sin(1), Math.cos(1)]]
 */
export function sinusoidalPositions(length: number, dModel: number): Matrix {
  if (typeof length !== "number" || !Number.isSafeInteger(length) || length < 1) throw new Error(`sinusoidalPositions: length must be a positive integer, got ${_describe(length)}`);
  if (typeof dModel !== "number" || !Number.isSafeInteger(dModel) || dModel < 1) throw new Error(`sinusoidalPositions: dModel must be a positive integer, got ${_describe(dModel)}`);
  _checkBytes(`sinusoidalPositions(${length}, ${dModel})`, length * (32 + 8 * dModel), "a tiny model's sequences are tens of positions long");
  return Array.from({ length }, (_, pos) => Array.from({ length: dModel }, (_, j) => {
    const angle = pos / Math.pow(10000, (2 * Math.floor(j / 2)) / dModel);
    return j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
  })); // (L, dModel)
}
