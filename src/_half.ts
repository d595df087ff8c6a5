/**
 * Internal: IEEE 754 half-precision floats (binary16: 1 sign, 5 exponent, 10 fraction bits) as numbers, for the
 * readers of model files: safetensors' F16 tensors (mha-lab/minilm) and GGUF's F16 values and block scales
 * (mha-lab/llm). One decoder for both.
 *
 * Dependencies: none.
 */

/**
 * A half (its 16 bits as an integer) as a number, exactly.
 *   (−1)^s · 2^(e−15) · (1 + f/1024),  subnormal (e = 0): (−1)^s · 2^−24 · f,  e = 31: ±Infinity (f = 0) or NaN
 * @param h 0 … 65535
 * @example halfToFloat(0x3c00) // returns 1
 */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // subnormal
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** All 65536 halves as numbers, built on first use (512 KB): a model load decodes millions of them. */
let _halves: Float64Array | null = null;

/**
 * The table of every half's value: _halfTable()[h] = halfToFloat(h).
 * @example _halfTable()[0xc000] // returns -2
 */
export function _halfTable(): Float64Array {
  if (_halves === null) _halves = Float64Array.from({ length: 65536 }, (_, h) => halfToFloat(h));
  return _halves;
}
